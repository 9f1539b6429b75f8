from django.contrib import admin

from propdesk.core.models import OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through their services (and their history): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Watch what leaves the system; messages are written by services, never by hand."""

    list_display = ("created_at", "channel", "recipient", "event", "status", "attempts")
    list_filter = ("status", "channel", "event")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
