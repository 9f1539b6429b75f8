"""Console pages of this app (mounted at /requests/)."""

from django.urls import path

from propdesk.tickets.views import configuration, dashboard, intake, queues, workbench

urlpatterns = [
    path("", queues.request_queue, name="request_queue"),
    path("new/", intake.request_intake, name="request_intake"),
    path("lookup/", intake.caller_lookup, name="request_caller_lookup"),
    path("duplicates/", intake.duplicate_hint, name="request_duplicates"),
    path("dashboard/", dashboard.request_dashboard, name="request_dashboard"),
    path("configuration/", configuration.configuration_home, name="request_config"),
    path("configuration/routing/", configuration.routing_list, name="request_config_routing"),
    path(
        "configuration/routing/new/", configuration.routing_edit, name="request_config_routing_new"
    ),
    path(
        "configuration/routing/<int:rule_id>/",
        configuration.routing_edit,
        name="request_config_routing_edit",
    ),
    path(
        "configuration/routing/<int:rule_id>/delete/",
        configuration.routing_delete,
        name="request_config_routing_delete",
    ),
    path("configuration/calendar/", configuration.calendar_page, name="request_config_calendar"),
    path(
        "configuration/calendar/hours/",
        configuration.working_hours_edit,
        name="request_config_hours_company",
    ),
    path(
        "configuration/calendar/hours/<int:community_id>/",
        configuration.working_hours_edit,
        name="request_config_hours",
    ),
    path(
        "configuration/calendar/exceptions/new/",
        configuration.override_edit,
        name="request_config_override_new",
    ),
    path(
        "configuration/calendar/exceptions/<int:override_id>/",
        configuration.override_edit,
        name="request_config_override_edit",
    ),
    path(
        "configuration/calendar/exceptions/<int:override_id>/delete/",
        configuration.override_delete,
        name="request_config_override_delete",
    ),
    path("configuration/<slug:kind>/", configuration.taxonomy_list, name="request_config_taxonomy"),
    path(
        "configuration/<slug:kind>/new/",
        configuration.taxonomy_edit,
        name="request_config_taxonomy_new",
    ),
    path(
        "configuration/<slug:kind>/<int:row_id>/",
        configuration.taxonomy_edit,
        name="request_config_taxonomy_edit",
    ),
    path(
        "configuration/<slug:kind>/<int:row_id>/toggle/",
        configuration.taxonomy_toggle,
        name="request_config_taxonomy_toggle",
    ),
    path("dashboard/export/", dashboard.request_dashboard_export, name="request_dashboard_export"),
    path("<int:request_id>/", workbench.request_detail, name="request_detail"),
    path("<int:request_id>/step/<str:action>/", workbench.request_step, name="request_step"),
    path("<int:request_id>/follow-up/", workbench.follow_up_record, name="request_follow_up"),
    path(
        "<int:request_id>/follow-up/unreachable/",
        workbench.follow_up_unreachable,
        name="request_unreachable",
    ),
    path("<int:request_id>/notes/", workbench.note_add, name="request_note"),
    path("<int:request_id>/costs/", workbench.cost_propose, name="request_cost"),
    path(
        "<int:request_id>/costs/<int:cost_id>/decision/",
        workbench.cost_decide,
        name="request_cost_decide",
    ),
    path("<int:request_id>/visit/", workbench.visit_window_set, name="request_visit"),
    path("<int:request_id>/verify/", workbench.complaint_verify, name="request_verify"),
    path("<int:request_id>/solutions/", workbench.solution_propose, name="request_solution"),
    path(
        "<int:request_id>/solutions/<int:solution_id>/decision/",
        workbench.solution_decide,
        name="request_solution_decide",
    ),
    path("<int:request_id>/follow-up/sms/", workbench.follow_up_sms, name="request_follow_up_sms"),
    path("<int:request_id>/calls/", intake.request_link_call, name="request_link_call"),
    path(
        "<int:request_id>/photos/<int:photo_id>/",
        workbench.photo_download,
        name="request_photo",
    ),
]
