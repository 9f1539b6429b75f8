"""Back-office configuration of service requests.

Configuration rows (taxonomy, routing, time limits, follow-up settings, phrases, the working
calendar) are edited here: they hold no history of their own and no business rule runs on
saving them. Requests and everything that hangs off them are read-only: they change only through
the services, so the timeline and the clocks stay right.
"""

from django.contrib import admin

from propdesk.core.calendar_models import CalendarOverride, WorkingHours
from propdesk.tickets import models


@admin.register(models.RequestKind, models.Urgency)
class LabelledAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department_code", "refers_outside", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "community", "department", "is_lead")
    list_filter = ("community", "department")


@admin.register(models.SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "urgency",
        "category",
        "community",
        "first_response_amount",
        "first_response_unit",
        "on_site_amount",
        "resolution_amount",
        "resolution_unit",
        "escalation_percents",
    )
    list_filter = ("community", "kind", "urgency")


@admin.register(models.RequestSettings)
class RequestSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "community",
        "follow_up_after_hours",
        "follow_up_max_attempts",
        "reopen_at_or_below",
        "recurrence_days",
    )


@admin.register(models.StandardPhrase)
class StandardPhraseAdmin(admin.ModelAdmin):
    list_display = ("title", "purpose", "community", "sort_order", "is_active")
    list_filter = ("purpose", "community", "is_active")


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("community_id", "opens_at", "closes_at")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "community_id", "is_working", "opens_at", "closes_at", "note")
    list_filter = ("is_working",)
    date_hierarchy = "date"


@admin.register(models.ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "community", "status", "category", "created_at", "due_at")
    list_filter = ("status", "community")
    search_fields = ("number",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
