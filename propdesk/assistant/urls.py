"""Console pages of the assistant app (/assistant/…)."""

from django.urls import path

from propdesk.assistant import portal_views, views

urlpatterns: list = [
    path("suggest/", views.suggest, name="assistant_suggest"),
    path("accuracy/", views.accuracy, name="assistant_accuracy"),
    path("maintenance/", views.maintenance, name="assistant_maintenance"),
    path("maintenance/call/", views.maintenance_call, name="assistant_maintenance_call"),
    path("ask/", portal_views.ask, name="assistant_ask"),
    path("ask/<int:ask_id>/feedback/", portal_views.feedback, name="assistant_ask_feedback"),
    path("ask/<int:ask_id>/person/", portal_views.hand_off, name="assistant_ask_person"),
]
