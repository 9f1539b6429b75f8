"""The owner's notices, inbox and contact preferences (/m/…)."""

from django.urls import path

from propdesk.notices.views import owner

urlpatterns = [
    path("notices/", owner.notice_list, name="notices_owner_list"),
    path("notices/<int:announcement_id>/", owner.notice_detail, name="notices_owner_detail"),
    path("inbox/", owner.inbox, name="notices_owner_inbox"),
    path("inbox/<int:message_id>/", owner.inbox_detail, name="notices_owner_message"),
    path("profile/", owner.profile, name="notices_owner_profile"),
]
