"""The demo announcements load through the services and only once."""

from propdesk.notices.demo import load_demo_notices
from propdesk.notices.models import Announcement
from propdesk.notices.selectors import announcements_for_owner


def test_the_demo_writes_published_scheduled_and_draft_announcements(
    personas, community_a, house_a, owner_a
):
    assert load_demo_notices(communities=[community_a]) == 5
    statuses = sorted(Announcement.objects.values_list("status", flat=True))
    assert statuses == ["draft", "published", "published", "published", "scheduled"]
    assert len(announcements_for_owner(owner_a)) == 3
    assert load_demo_notices(communities=[community_a]) == 0
