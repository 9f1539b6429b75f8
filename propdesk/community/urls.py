"""Console pages of the community app (/community/…)."""

from django.urls import path

from propdesk.community.views import (
    activities,
    care,
    desk,
    greetings,
    incidents,
    owner_visits,
    plans,
    warnings,
)

urlpatterns = [
    path("", incidents.incident_list, name="community_home"),
    path("incidents/", incidents.incident_list, name="community_incidents"),
    path("incidents/new/", incidents.incident_new, name="community_incident_new"),
    path(
        "incidents/<int:incident_id>/", incidents.incident_detail, name="community_incident_detail"
    ),
    path(
        "incidents/<int:incident_id>/tasks/<int:task_id>/",
        incidents.task_done,
        name="community_incident_task",
    ),
    path(
        "incidents/<int:incident_id>/broadcast/",
        incidents.incident_broadcast,
        name="community_incident_broadcast",
    ),
    path(
        "incidents/<int:incident_id>/link/", incidents.incident_link, name="community_incident_link"
    ),
    path(
        "incidents/<int:incident_id>/note/", incidents.incident_note, name="community_incident_note"
    ),
    path(
        "incidents/<int:incident_id>/close/",
        incidents.incident_close,
        name="community_incident_close",
    ),
    path(
        "incidents/<int:incident_id>/report.pdf",
        incidents.incident_report,
        name="community_incident_report",
    ),
    path(
        "incidents/<int:incident_id>/follow-ups/<int:item_id>/request/",
        incidents.follow_up_request,
        name="community_follow_up_request",
    ),
    path(
        "incidents/<int:incident_id>/photos/<int:entry_id>/",
        incidents.incident_photo,
        name="community_incident_photo",
    ),
    path("plans/", plans.plan_edit, name="community_plans"),
    path("duty/", plans.duty_roster, name="community_duty"),
    path("duty/<int:shift_id>/remove/", plans.duty_shift_remove, name="community_duty_remove"),
    path("visits/", desk.visit_log, name="community_visits"),
    path("care/", care.care_list, name="community_care"),
    path("care/new/", care.care_new, name="community_care_new"),
    path("care/<int:resident_id>/", care.care_detail, name="community_care_detail"),
    path("care/<int:resident_id>/reveal/", care.care_reveal, name="community_care_reveal"),
    path("care/calls/<int:call_id>/done/", care.care_call_done, name="community_care_call_done"),
    path("activities/", activities.activity_list, name="community_activities"),
    path("activities/new/", activities.activity_new, name="community_activity_new"),
    path(
        "activities/<int:activity_id>/",
        activities.activity_detail,
        name="community_activity_detail",
    ),
    path(
        "activities/<int:activity_id>/cancel/",
        activities.activity_cancel,
        name="community_activity_cancel",
    ),
    path(
        "activities/<int:activity_id>/signups/<int:signup_id>/check-in/",
        activities.signup_check_in,
        name="community_signup_check_in",
    ),
    path(
        "activities/<int:activity_id>/signups/<int:signup_id>/cancel/",
        activities.signup_cancel,
        name="community_signup_cancel",
    ),
    path(
        "activities/<int:activity_id>/feedback/<int:feedback_id>/suggest/",
        activities.feedback_suggest,
        name="community_feedback_suggest",
    ),
    path(
        "activities/<int:activity_id>/photos/<int:photo_id>/",
        activities.activity_photo,
        name="community_activity_photo",
    ),
    path(
        "activities/<int:activity_id>/opinions/",
        activities.forum_opinion,
        name="community_forum_opinion",
    ),
    path("owner-visits/", owner_visits.plan_list, name="community_owner_visits"),
    path(
        "owner-visits/<int:community_id>/plan/",
        owner_visits.plan_edit,
        name="community_owner_visit_plan",
    ),
    path("owner-visits/records/", owner_visits.visit_records, name="community_owner_visit_records"),
    path("owner-visits/months/", owner_visits.visit_months, name="community_owner_visit_months"),
    path("warnings/", warnings.warning_list, name="community_warnings"),
    path("warnings/new/", warnings.warning_new, name="community_warning_new"),
    path(
        "warnings/<int:warning_id>/cancel/",
        warnings.warning_cancel,
        name="community_warning_cancel",
    ),
    path("greetings/", greetings.greeting_overview, name="community_greetings"),
    path("greetings/setting/", greetings.greeting_setting, name="community_greeting_setting"),
    path("greetings/people/", greetings.greeting_people, name="community_greeting_people"),
    path("greetings/opt-out/", greetings.greeting_opt_out, name="community_greeting_opt_out"),
]
