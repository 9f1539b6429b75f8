"""The outbox asks a delivery policy about messages to a user account (settings-configurable)."""

import pytest

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage

Status = OutboxMessage.Status


def _enqueue(user, *, key="k", urgent=False):
    return outbox.message_enqueue(
        channel="sms",
        recipient="13812345678",
        recipient_user=user,
        event="e",
        body="b",
        dedupe_key=key,
        urgent=urgent,
    )


@pytest.fixture
def policy(settings):
    settings.OUTBOX_DELIVERY_POLICY = "propdesk.core.tests.outbox_transports.skip_everything"


def test_a_skipped_message_is_kept_and_never_delivered(personas, policy):
    message = _enqueue(personas["owner"])
    assert (message.status, message.last_error) == (Status.SKIPPED, "test")
    assert outbox.message_deliver(message.id) == Status.SKIPPED
    assert outbox.outbox_deliver_due() == 0


def test_urgent_messages_pass_the_policy(personas, policy):
    assert _enqueue(personas["owner"], urgent=True).status == Status.PENDING


def test_messages_without_a_user_are_not_asked_about(db, policy):
    assert _enqueue(None).status == Status.PENDING


def test_a_policy_that_cannot_be_imported_sends_as_asked(personas, settings, caplog):
    settings.OUTBOX_DELIVERY_POLICY = "propdesk.nowhere.policy"
    assert _enqueue(personas["owner"]).status == Status.PENDING
    assert "cannot be imported" in caplog.text
