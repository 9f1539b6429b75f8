"""Back-office configuration of service requests.

Follow-up settings are edited here. The taxonomy (kinds, urgencies, categories), routing rules,
the working calendar, time limits and standard phrases are read-only here: the audited
configuration services change them (the console's request settings pages and the API), so each
change is in the history.
Requests and everything that hangs off them are read-only: they change only through the
services, so the timeline and the clocks stay right.
"""

from django.contrib import admin

from propdesk.core.admin import ReadOnlyAdmin
from propdesk.core.calendar_models import CalendarOverride, WorkingHours
from propdesk.tickets import models


@admin.register(models.RequestKind, models.Urgency)
class LabelledAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "name_en", "sort_order", "is_active")


@admin.register(models.Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "department_code", "refers_outside", "sort_order", "is_active")


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(ReadOnlyAdmin):
    list_display = ("category", "community", "department", "is_lead")
    list_filter = ("community", "department")


@admin.register(models.SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "urgency",
        "category",
        "simple",
        "community",
        "first_response_amount",
        "first_response_unit",
        "on_site_amount",
        "resolution_amount",
        "resolution_unit",
        "escalation_percents",
    )
    list_filter = ("community", "kind", "urgency", "simple")


@admin.register(models.RequestSettings)
class RequestSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "community",
        "follow_up_after_hours",
        "follow_up_max_attempts",
        "reopen_at_or_below",
        "recurrence_days",
        "follow_up_link_hours",
    )


@admin.register(models.StandardPhrase)
class StandardPhraseAdmin(ReadOnlyAdmin):
    list_display = ("title", "purpose", "community", "sort_order", "is_active")
    list_filter = ("purpose", "community", "is_active")


@admin.register(WorkingHours)
class WorkingHoursAdmin(ReadOnlyAdmin):
    list_display = ("community_id", "opens_at", "closes_at")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ReadOnlyAdmin):
    list_display = ("date", "community_id", "is_working", "opens_at", "closes_at", "note")
    list_filter = ("is_working",)
    date_hierarchy = "date"


@admin.register(models.ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "community", "status", "category", "created_at", "due_at")
    list_filter = ("status", "community")
    search_fields = ("number",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
