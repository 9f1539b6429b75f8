"""Templates render only whitelisted `{variables}`; hostile templates are refused or inert."""

import pytest

from propdesk.core.errors import ValidationFailed
from propdesk.notices.models import NotificationTemplate
from propdesk.notices.rendering import render_notification, template_check

CONTEXT = {
    "community": "甲小区",
    "title": "停水通知",
    "body": "7月10日停水。",
    "published": "2026-07-08 09:00",
}


def test_the_seeded_chinese_default_is_used(db):
    words = render_notification("announcement", CONTEXT)
    assert (words.subject, words.body) == ("【公告】停水通知", "7月10日停水。")


def test_a_channel_template_beats_the_every_channel_one(db):
    words = render_notification("announcement", CONTEXT, channel="sms")
    assert words.body == "【甲小区】公告：停水通知。详情请登录业主端查看。"


def test_a_community_template_beats_the_default(db, community_a, community_b):
    NotificationTemplate.objects.create(
        community=community_a, event="announcement", channel="any", subject="甲：{title}", body="x"
    )
    assert render_notification("announcement", CONTEXT, community_a).subject == "甲：停水通知"
    assert render_notification("announcement", CONTEXT, community_b).subject == "【公告】停水通知"


def test_variables_outside_the_whitelist_are_not_filled(db):
    NotificationTemplate.objects.filter(event="announcement", channel="any").update(
        body="{body}{secret}"
    )
    words = render_notification("announcement", {**CONTEXT, "secret": "SECRET_KEY"})
    assert words.body == "7月10日停水。"


@pytest.mark.parametrize(
    "hostile",
    [
        "{title.__class__.__mro__}",
        "{title[0]}",
        "{title!r}",
        "{title:>100000}",
        "{0}",
        "{}",
        "{title",
        "}",
        "{__import__}",
    ],
)
def test_hostile_placeholders_are_refused(hostile):
    with pytest.raises(ValidationFailed) as exc:
        template_check("announcement", hostile)
    assert exc.value.field == "body"


def test_hostile_rows_written_past_the_service_render_inert(db, settings):
    """Even a row put in the database directly cannot reach attributes or the settings."""
    NotificationTemplate.objects.filter(event="announcement", channel="any").update(
        subject="{title.__class__}{title:>99999}",
        body="{% load static %}{{ settings.SECRET_KEY }}{title!r}{body}",
    )
    words = render_notification("announcement", CONTEXT)
    assert words.subject == ""
    assert words.body == "{ settings.SECRET_KEY }7月10日停水。"
    assert settings.SECRET_KEY not in words.body


def test_unknown_variables_are_named(db):
    with pytest.raises(ValidationFailed) as exc:
        template_check("bill.issued", "{house}{balance}", field="subject")
    assert exc.value.field == "subject"
    assert "balance" in str(exc.value.message)


def test_long_values_are_cut():
    from propdesk.notices.rendering import fill

    assert len(fill("{body}", {"body": "x" * 10_000})) == 2000
