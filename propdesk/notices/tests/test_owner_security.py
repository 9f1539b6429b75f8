"""Object-level security: an owner never sees another community's or building's announcement,
nor another person's inbox message or preferences, by any URL or API id."""

import json

import pytest
from django.test import Client

from propdesk.notices import selectors
from propdesk.notices.models import AnnouncementRead, ContactPreference, InboxRead


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_sees_their_community_and_building_only(world):
    mine = list(selectors.announcements_for_owner(world.owner_a))
    assert [a.title for a in mine] == ["甲小区全体公告"]
    theirs = [a.title for a in selectors.announcements_for_owner(world.owner_a4)]
    assert theirs == ["4栋公告", "甲小区全体公告"]
    assert [a.title for a in selectors.announcements_for_owner(world.owner_b)] == ["乙小区公告"]


def test_drafts_and_withdrawn_announcements_are_not_shown(world, personas):
    from propdesk.notices.services.announcements import announcement_withdraw

    announcement_withdraw(actor=personas["supervisor"], announcement=world.all_a)
    assert list(selectors.announcements_for_owner(world.owner_a)) == []


def test_an_owner_who_sold_their_house_stops_seeing_its_notices(world, zhang_san):
    import datetime

    from propdesk.estates.models import Ownership

    Ownership.objects.filter(owner=zhang_san).update(end_on=datetime.date(2026, 1, 1))
    assert list(selectors.announcements_for_owner(world.owner_a)) == []


@pytest.mark.parametrize("which", ["only_4", "in_b", "draft"])
def test_foreign_announcements_are_404_on_the_page_and_the_api(world, which):
    notice = getattr(world, which)
    client = as_user(world.owner_a)
    assert client.get(f"/m/notices/{notice.id}/").status_code == 404
    assert client.get(f"/api/notices/my/announcements/{notice.id}").status_code == 404
    assert not AnnouncementRead.objects.exists()


def test_another_persons_inbox_message_is_404_everywhere(world):
    client = as_user(world.owner_a)
    assert client.get(f"/m/inbox/{world.theirs.id}/").status_code == 404
    assert client.post(f"/api/notices/my/inbox/{world.theirs.id}/read").status_code == 404
    listed = client.get("/api/notices/my/inbox").json()["items"]
    # their own test message and the inbox copy of the community announcement
    assert [m["subject"] for m in listed] == ["您的诉求", "【公告】甲小区全体公告"]
    assert world.theirs.id not in {m["id"] for m in listed}
    assert not InboxRead.objects.exists()


def test_preferences_are_only_ever_ones_own(world):
    """There is no id to ask for: /m/profile/ and /api/notices/my/preferences read the caller's."""
    client = as_user(world.owner_a)
    response = client.put(
        "/api/notices/my/preferences",
        json.dumps(
            {
                "sms_enabled": False,
                "email_enabled": False,
                "email": "",
                "quiet_hours_enabled": True,
                "quiet_start": "22:00",
                "quiet_end": "08:00",
                "user": world.owner_a4.id,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert list(ContactPreference.objects.values_list("user_id", flat=True)) == [world.owner_a.id]
    other = as_user(world.owner_a4).get("/api/notices/my/preferences").json()
    assert other["sms_enabled"] is True


def test_staff_get_no_owner_feed(world, personas):
    client = as_user(personas["agent"])
    assert client.get("/api/notices/my/announcements").status_code == 403
    assert client.get(f"/m/notices/{world.all_a.id}/").status_code in (302, 403)


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get("/m/notices/")
    assert response.status_code == 302
    assert Client().get("/api/notices/my/inbox").status_code == 401


def test_unread_counts_follow_reading(world):
    from propdesk.notices.services.reading import announcement_mark_read

    assert selectors.unread_counts(world.owner_a) == {"announcements": 1, "inbox": 2}
    assert selectors.unread_count(world.owner_a) == 3
    announcement_mark_read(user=world.owner_a, announcement=world.all_a)
    announcement_mark_read(user=world.owner_a, announcement=world.all_a)
    # the announcement's inbox copy counts as read too
    assert selectors.unread_counts(world.owner_a) == {"announcements": 0, "inbox": 1}
    assert selectors.unread_counts(world.owner_a4) == {"announcements": 2, "inbox": 3}
    assert [a.is_read for a in selectors.latest_announcements_for(world.owner_a)] == [True]


def test_a_tenant_with_a_portal_account_sees_the_notices_of_the_house(world, personas, house_a):
    import datetime

    from propdesk.estates.services.people import resident_add
    from propdesk.portal.services.signin import account_for_mobile

    resident_add(
        actor=personas["admin"],
        house=house_a,
        relation="tenant",
        name="王租客",
        mobile="13700001111",
        lease_start=datetime.date(2026, 1, 1),
        lease_end=datetime.date(2027, 12, 31),
    )
    tenant = account_for_mobile("13700001111")
    assert [a.title for a in selectors.announcements_for_owner(tenant)] == ["甲小区全体公告"]


def test_an_account_linked_to_no_house_sees_no_notices_and_no_unread(world):
    from propdesk.portal.services.signin import account_for_mobile

    stranger = account_for_mobile("13900009999")
    assert list(selectors.announcements_for_owner(stranger)) == []
    assert selectors.unread_counts(stranger) == {"announcements": 0, "inbox": 0}
