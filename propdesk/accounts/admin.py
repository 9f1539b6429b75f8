"""Back-office view of staff: users (their role, department, communities and flags read-only:
they change on the console's staff access page, with the history), departments, and a read-only
view of API tokens (the key itself is never stored or shown)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from propdesk.accounts.models import ApiToken, Department, User
from propdesk.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_active", "last_login")
    list_filter = ("role", "department", "communities", "is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email", "mobile")
    filter_horizontal = ("communities", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email", "mobile")}),
        (_("Work"), {"fields": ("role", "department", "communities")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2"),
            },
        ),
    )

    # Who may do what changes only through accounts.staff_access (audited).
    ACCESS_FIELDS = (
        "role",
        "department",
        "communities",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.ACCESS_FIELDS if obj is not None else ()

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return obj.display_name


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Read-only: tokens are created and revoked on the console's API tokens page."""

    list_display = (
        "name",
        "user",
        "key_prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "key_prefix", "user__username")
    fields = (
        "name",
        "user",
        "key_prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = fields
