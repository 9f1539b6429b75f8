"""The owners' fee transparency pages, mounted under the portal (/m/fees/published/…)."""

from django.urls import path

from propdesk.operations.views import publication

urlpatterns = [
    path("", publication.owner_publication_list, name="operations_portal_publications"),
    path(
        "<int:publication_id>/",
        publication.owner_publication_detail,
        name="operations_portal_publication",
    ),
]
