"""A sign-in code sent while SMS goes to the log: the log holds neither the mobile nor the code."""

import logging
import re

import pytest

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage
from propdesk.portal.services import signin
from propdesk.portal.tests.conftest import ZHANG

pytestmark = pytest.mark.django_db


def test_the_log_never_shows_the_mobile_or_the_sign_in_code(zhang_san, settings, caplog):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "log"
    with caplog.at_level(logging.DEBUG):
        signin.code_request(mobile=ZHANG, ip="10.0.0.8")
        message = OutboxMessage.objects.get(channel="sms", recipient=ZHANG)
        if message.status != OutboxMessage.Status.SENT:  # an eager worker already sent it
            outbox.message_deliver(message.id)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    code = re.search(r"\d{6}", message.body).group(0)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "138****5678" in logged
    assert ZHANG not in logged
    assert code not in logged
