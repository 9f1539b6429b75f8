"""The owner's survey pages, mounted under the portal (/m/surveys/…)."""

from django.urls import path

from propdesk.quality.views import portal

urlpatterns = [
    path("", portal.survey_list, name="quality_portal_surveys"),
    path(
        "<int:round_id>/houses/<int:house_id>/",
        portal.survey_answer,
        name="quality_portal_survey_answer",
    ),
]
