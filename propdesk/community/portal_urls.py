"""The owner's activity pages, mounted under the portal (/m/activities/…)."""

from django.urls import path

from propdesk.community.views import portal

urlpatterns = [
    path("", portal.activity_list, name="community_portal_activities"),
    path("<int:activity_id>/", portal.activity_detail, name="community_portal_activity"),
    path(
        "signups/<int:signup_id>/cancel/",
        portal.signup_cancel,
        name="community_portal_signup_cancel",
    ),
]
