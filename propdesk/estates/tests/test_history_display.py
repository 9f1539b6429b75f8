"""Histories read in plain language: labels instead of codes, names instead of ids, on the
console's timelines and in the API's `display` field."""

import re

from django.test import Client
from django.urls import reverse
from django.utils import translation

from propdesk.core.audit import describe_events
from propdesk.core.models import AuditEvent
from propdesk.estates import services


def test_a_parking_assignment_names_the_holder_and_the_status(admin, zhang_san, house_a):
    space = services.parking_space_create(
        actor=admin, community=house_a.community, number="B-101", kind="dedicated"
    )
    services.parking_space_assign(
        actor=admin, space=space, status="let", holder=zhang_san, house=house_a
    )
    event = AuditEvent.objects.get(action="parking_assigned")
    with translation.override("zh-hans"):
        [described] = describe_events([event])
    assert described.action_label == "分配车位"
    assert "张三" in described.display and "3-2-1502" in described.display
    assert str(zhang_san.id) not in re.sub(r"\d{4,}", "", described.display)
    assert "available" not in described.display and " let" not in described.display
    assert "holder" not in described.display


def test_the_house_page_shows_labels_not_codes(client, admin, zhang_san, house_a):
    services.house_change_status(actor=admin, house=house_a, status="vacant")
    client.force_login(admin)
    body = client.get(reverse("house_detail", args=[house_a.id])).content.decode()
    history = body[body.index('data-testid="history-event"') :]
    assert "occupied" not in history and "vacant" not in history
    assert "已入住 → 空置" in history


def test_a_keys_history_and_its_api_display_read_in_words(admin, house_a, zhang_san):
    from propdesk.custody.services.keys import key_lend, key_register

    key = key_register(
        actor=admin,
        community=house_a.community,
        kind="house",
        label="K-1",
        location="A-1",
        house=house_a,
    )
    key_lend(actor=admin, key=key, purpose="owner", owner=zhang_san, id_checked=True)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("custody_key_detail", args=[key.id])).content.decode()
    assert "in_store" not in page and "on_loan" not in page
    api = client.get(f"/api/custody/keys/{key.id}").json()
    lent = next(e for e in api["timeline"] if e["action"] == "key_lent")
    assert lent["action_label"] == "钥匙借出"
    assert "in_store" not in lent["display"] and "→" in lent["display"]


def test_a_reference_recorded_by_name_is_shown_as_it_is(admin, house_a):
    from propdesk.estates.models import Ownership

    owner = services.owner_create(actor=admin, community=house_a.community, name="王五")
    event = AuditEvent(
        action="owner_added",
        object_type="ownership",
        object_id=1,
        changes={"owner": [None, "王五"]},
    )
    [described] = describe_events([event])
    assert described.lines[0].new == "王五"
    assert Ownership.objects.count() == 0 and owner.pk
