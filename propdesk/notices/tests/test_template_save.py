"""Administrators edit the templates (NOTICE_TEMPLATES) and preview them with sample values."""

import pytest

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.notices.models import NotificationTemplate
from propdesk.notices.services.templates import (
    notification_template_preview,
    notification_template_save,
)


def _default(event="bill.issued"):
    return NotificationTemplate.objects.get(community=None, event=event, channel="any")


def test_an_administrator_changes_a_default(admin):
    template = notification_template_save(
        actor=admin,
        template=_default(),
        event="ignored",
        channel="ignored",
        subject="{period}账单",
        body="{owner}您好，{house}本月{amount}元。",
    )
    template.refresh_from_db()
    assert (template.subject, template.body, template.updated_by) == (
        "{period}账单",
        "{owner}您好，{house}本月{amount}元。",
        admin,
    )
    assert AuditEvent.objects.filter(action="update", object_id=str(template.pk)).exists()


def test_a_community_override_is_a_new_row(admin, community_a):
    template = notification_template_save(
        actor=admin,
        community=community_a,
        event="announcement",
        channel="sms",
        subject="",
        body="甲小区公告：{title}",
    )
    assert template.community == community_a
    assert NotificationTemplate.objects.filter(event="announcement").count() == 3


@pytest.mark.parametrize("role", ["agent", "supervisor", "cashier", "technician", "guard", "owner"])
def test_other_roles_are_refused(personas, role):
    before = _default().body
    with pytest.raises(PermissionDenied):
        notification_template_save(
            actor=personas[role],
            template=_default(),
            event="bill.issued",
            channel="any",
            subject="",
            body="x",
        )
    assert _default().body == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("", "body"),
        ("x" * 10_000, "body"),
        ("{house.__dict__}", "body"),
        ("{balance}", "body"),
        ("ok\x00", "body"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(admin, body, field):
    before = _default().body
    with pytest.raises(ValidationFailed) as exc:
        notification_template_save(
            actor=admin, template=_default(), event="", channel="", subject="", body=body
        )
    assert exc.value.field == field
    assert _default().body == before


def test_unknown_events_and_channels_are_refused(admin):
    with pytest.raises(ValidationFailed) as exc:
        notification_template_save(
            actor=admin, event="'; DROP TABLE x; --", channel="any", subject="", body="x"
        )
    assert exc.value.field == "event"
    with pytest.raises(ValidationFailed) as exc:
        notification_template_save(
            actor=admin, event="announcement", channel="fax", subject="", body="x"
        )
    assert exc.value.field == "channel"


def test_the_preview_fills_sample_values(admin):
    words = notification_template_preview(
        actor=admin, event="payment.received", subject="收据{receipt}", body="{owner}缴费{amount}元"
    )
    assert (words.subject, words.body) == ("收据A-2026-000123", "张三缴费170.05元")


def test_the_preview_needs_the_permission(personas):
    with pytest.raises(PermissionDenied):
        notification_template_preview(
            actor=personas["supervisor"], event="announcement", subject="", body="{title}"
        )
