"""Log stand-ins never write a full address or a message's text; a production site whose SMS or
email channel only logs fails `check --deploy`."""

import logging

import pytest

from propdesk.core import outbox
from propdesk.core.checks import owner_channels_deliver
from propdesk.core.masking import mask_recipient
from propdesk.core.models import OutboxMessage
from propdesk.core.transports import transport_for

TEXT = "您的验证码是 482913，5分钟内有效。"


def _send(channel, recipient, key):
    message = outbox.message_enqueue(
        channel=channel, recipient=recipient, event="t", body=TEXT, dedupe_key=key
    )
    return outbox.message_deliver(message.id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "recipient", "shown"),
    [
        ("sms", "13812345678", "138****5678"),
        ("wechat", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUp***"),
    ],
)
def test_log_stand_ins_mask_the_address_and_never_write_the_text(
    settings, caplog, channel, recipient, shown
):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "log"
    with caplog.at_level(logging.DEBUG):
        assert _send(channel, recipient, f"{channel}-1") == OutboxMessage.Status.SENT
    assert shown in caplog.text and f"{channel}-1" in caplog.text
    assert recipient not in caplog.text
    assert "482913" not in caplog.text and "验证码" not in caplog.text


def test_recipients_are_masked_by_kind():
    assert mask_recipient("13812345678") == "138****5678"
    assert mask_recipient("zhang.san@example.com") == "z***@example.com"
    assert mask_recipient("oUpF8uMuAJO") == "oUp***"
    assert mask_recipient("") == ""


def _ids():
    return [error.id for error in owner_channels_deliver()]


def test_the_check_fails_when_sms_only_goes_to_the_log(settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "log"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert not transport_for("sms").delivers()
    assert _ids() == ["propdesk.E001"]


def test_the_check_fails_when_email_stays_on_this_machine(settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = "https://sms.example.com/send"
    settings.SMS_HTTP_TOKEN = "token"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert _ids() == ["propdesk.E002"]


def test_the_check_fails_when_a_channel_is_pointed_at_the_log_transport(settings):
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = "https://sms.example.com/send"
    settings.SMS_HTTP_TOKEN = "token"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.OUTBOX_TRANSPORTS = {"sms": "propdesk.core.transports.log.LogTransport"}
    assert _ids() == ["propdesk.E001"]


@pytest.mark.parametrize(
    ("url", "token"),
    [("", "token"), ("http://sms.example.com/send", "token"), ("https://sms.example.com", "")],
)
def test_an_http_gateway_needs_an_https_address_and_a_token(settings, url, token):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = url
    settings.SMS_HTTP_TOKEN = token
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert _ids() == ["propdesk.E001"]


def test_the_check_passes_with_real_gateways(settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = "https://sms.example.com/send"
    settings.SMS_HTTP_TOKEN = "token"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert _ids() == []
