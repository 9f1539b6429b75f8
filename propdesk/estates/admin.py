"""Back-office view of the registry. Read-only: every change goes through the console's services,
so history and validation are the same on every path (DESIGN.md)."""

from django.contrib import admin

from propdesk.core.admin import ReadOnlyAdmin
from propdesk.core.models import AccessLog, AuditEvent
from propdesk.estates import models


@admin.register(models.Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "company", "archive_prefix")
    search_fields = ("code", "name")


@admin.register(models.Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ("number", "community", "floors")
    list_filter = ("community",)


@admin.register(models.House)
class HouseAdmin(ReadOnlyAdmin):
    list_display = ("code", "community", "area_m2", "kind", "status")
    list_filter = ("community", "kind", "status")
    search_fields = ("code",)
    show_full_result_count = False


@admin.register(models.Owner)
class OwnerAdmin(ReadOnlyAdmin):
    list_display = ("name", "community", "kind")
    list_filter = ("community", "kind")
    search_fields = ("name", "name_initials")
    exclude = ("mobile", "id_number")  # personal data is revealed only through the logged action
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    show_full_result_count = False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "subject_repr", "field")
    list_filter = ("field",)
    show_full_result_count = False
