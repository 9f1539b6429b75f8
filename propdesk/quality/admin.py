"""Back-office configuration of service quality: the figures' targets, the hotline lines the
telephone system reports and the agents' extensions. Calls are read-only here: they change only
through the services."""

from django.contrib import admin

from propdesk.quality import models


@admin.register(models.QualitySettings)
class QualitySettingsAdmin(admin.ModelAdmin):
    list_display = (
        "community",
        "answer_rate_target_percent",
        "answer_within_seconds",
        "answer_before_ring",
        "ring_cycle_seconds",
        "satisfaction_target_percent",
    )


@admin.register(models.HotlineLine)
class HotlineLineAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "community", "is_active")
    list_filter = ("community", "is_active")


@admin.register(models.AgentExtension)
class AgentExtensionAdmin(admin.ModelAdmin):
    list_display = ("extension", "user")
    search_fields = ("extension", "user__username")
