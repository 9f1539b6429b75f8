"""Console pages of this app (mounted at /requests/)."""

from django.urls import path

from propdesk.tickets.views import dashboard, intake, owner, queues, workbench

urlpatterns = [
    path("", queues.request_queue, name="request_queue"),
    path("new/", intake.request_intake, name="request_intake"),
    path("lookup/", intake.caller_lookup, name="request_caller_lookup"),
    path("duplicates/", intake.duplicate_hint, name="request_duplicates"),
    path("dashboard/", dashboard.request_dashboard, name="request_dashboard"),
    path("dashboard/export/", dashboard.request_dashboard_export, name="request_dashboard_export"),
    path("mine/", owner.owner_requests, name="owner_requests"),
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
    path("<int:request_id>/calls/", intake.request_link_call, name="request_link_call"),
    path(
        "<int:request_id>/photos/<int:photo_id>/",
        workbench.photo_download,
        name="request_photo",
    ),
]
