"""Console pages of announcements and notification templates (/notices/…)."""

from django.urls import path

from propdesk.notices.views import console

urlpatterns = [
    path("", console.announcement_list, name="notices_announcement_list"),
    path("new/", console.announcement_create, name="notices_announcement_create"),
    path("<int:announcement_id>/", console.announcement_detail, name="notices_announcement_detail"),
    path(
        "<int:announcement_id>/edit/", console.announcement_edit, name="notices_announcement_edit"
    ),
    path(
        "<int:announcement_id>/delivery/",
        console.announcement_delivery,
        name="notices_announcement_delivery",
    ),
    path(
        "<int:announcement_id>/publish/",
        console.announcement_publish,
        name="notices_announcement_publish",
    ),
    path(
        "<int:announcement_id>/withdraw/",
        console.announcement_withdraw,
        name="notices_announcement_withdraw",
    ),
    path("templates/", console.template_list, name="notices_template_list"),
    path("templates/new/", console.template_new, name="notices_template_new"),
    path("templates/<int:template_id>/", console.template_edit, name="notices_template_edit"),
    path("templates/preview/", console.template_preview, name="notices_template_preview"),
]
