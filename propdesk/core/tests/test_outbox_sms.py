"""The SMS channel: the logging provider by default, the HTTP adapter configured by settings."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage
from propdesk.core.transports import transport_for
from propdesk.core.transports.sms import HttpSmsProvider, SmsTransport, sms_provider

Status = OutboxMessage.Status


class Gateway(BaseHTTPRequestHandler):
    answer = 200
    received: list = []

    def do_POST(self):  # noqa: N802 (the http.server API)
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            {
                "body": json.loads(self.rfile.read(length)),
                "auth": self.headers["Authorization"],
                "key": self.headers["Idempotency-Key"],
            }
        )
        self.send_response(Gateway.answer)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.answer, Gateway.received = 200, []
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_HTTP_TOKEN = "secret-token"
    settings.SMS_SIGN_NAME = "某某物业"
    yield Gateway
    server.shutdown()
    server.server_close()


def _sms(recipient="13812345678", key="sms-1"):
    return outbox.message_enqueue(
        channel="sms", recipient=recipient, event="t", body="您的报修已受理", dedupe_key=key
    )


def test_sms_is_the_sms_transport_with_the_logging_provider_by_default(db, settings, caplog):
    settings.OUTBOX_TRANSPORTS = {}
    assert isinstance(transport_for("sms"), SmsTransport)
    assert type(sms_provider()).__name__ == "LoggingSmsProvider"
    assert outbox.message_deliver(_sms().id) == Status.SENT
    assert "138****5678" in caplog.text and "sms-1" in caplog.text
    assert "您的报修已受理" not in caplog.text and "13812345678" not in caplog.text


def test_the_http_adapter_posts_json_with_the_token_and_the_dedupe_key(db, gateway):
    assert outbox.message_deliver(_sms().id) == Status.SENT
    assert gateway.received == [
        {
            "body": {
                "mobile": "13812345678",
                "text": "您的报修已受理",
                "sign_name": "某某物业",
                "message_id": "sms-1",
            },
            "auth": "Bearer secret-token",
            "key": "sms-1",
        }
    ]


def test_a_gateway_error_is_retried(db, gateway):
    gateway.answer = 503
    message = _sms()
    assert outbox.message_deliver(message.id) == Status.PENDING
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "SMS gateway answered 503")


def test_a_refused_message_is_dead_at_once(db, gateway):
    gateway.answer = 400
    assert outbox.message_deliver(_sms().id) == Status.DEAD


def test_an_unreachable_gateway_is_retried(db, settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"  # the discard port: nothing listens
    settings.SMS_HTTP_TIMEOUT = 1
    assert outbox.message_deliver(_sms().id) == Status.PENDING


def test_an_unconfigured_http_provider_is_a_permanent_failure(db, settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = ""
    message = _sms()
    assert outbox.message_deliver(message.id) == Status.DEAD


@pytest.mark.parametrize("bad", ["12345", "1381234567x", "owner", "+8613812345678"])
def test_bad_numbers_are_dead_without_calling_the_provider(db, gateway, bad):
    assert outbox.message_deliver(_sms(recipient=bad).id) == Status.DEAD
    assert gateway.received == []


def test_a_provider_class_path_can_be_configured(db, settings):
    settings.SMS_PROVIDER = "propdesk.core.transports.sms.HttpSmsProvider"
    assert isinstance(sms_provider(), HttpSmsProvider)
