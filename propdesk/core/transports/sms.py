"""SMS behind a provider interface: a logging provider by default, an HTTP adapter by settings.

Settings (read with defaults, so none is needed on a fresh install):

- `SMS_PROVIDER`: "log" (default), "http", or the dotted path of an `SmsProvider` class;
- `SMS_HTTP_URL`, `SMS_HTTP_TOKEN`, `SMS_HTTP_TIMEOUT` (seconds, default 10), `SMS_SIGN_NAME`
  (the 【签名】 Chinese carriers require, default empty): the HTTP adapter's endpoint. It POSTs
  JSON `{"mobile", "text", "sign_name", "message_id"}` with `Authorization: Bearer <token>` and
  an `Idempotency-Key` header (the outbox dedupe key), so a provider can drop a retried send.

A 4xx answer is a permanent failure (bad number or content: retrying will not help, the message
ends as dead); 5xx answers, timeouts and connection errors are retried with the outbox back-off.
"""

import abc
import json
import logging
import re
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from propdesk.core.transports.base import Transport, TransportError

logger = logging.getLogger("propdesk.outbox")

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
MAX_TEXT = 500  # long SMS are split by carriers into 67-character parts; 500 is plenty


class SmsProvider(abc.ABC):
    """One SMS gateway. `send_sms` delivers or raises TransportError (permanent or not)."""

    @abc.abstractmethod
    def send_sms(self, *, mobile: str, text: str, message_id: str) -> None: ...


class LoggingSmsProvider(SmsProvider):
    """The default until a gateway is configured: the message goes to the log."""

    def send_sms(self, *, mobile: str, text: str, message_id: str) -> None:
        logger.info("sms to %s [%s]: %s", mobile, message_id, text)


class HttpSmsProvider(SmsProvider):
    """A generic JSON-over-HTTPS gateway (most Chinese SMS vendors offer one, or a thin relay)."""

    def __init__(self):
        self.url = getattr(settings, "SMS_HTTP_URL", "")
        self.token = getattr(settings, "SMS_HTTP_TOKEN", "")
        self.timeout = float(getattr(settings, "SMS_HTTP_TIMEOUT", 10))
        self.sign_name = getattr(settings, "SMS_SIGN_NAME", "")

    def send_sms(self, *, mobile: str, text: str, message_id: str) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise TransportError("SMS_HTTP_URL is not set to an http(s) address", permanent=True)
        payload = {
            "mobile": mobile,
            "text": text,
            "sign_name": self.sign_name,
            "message_id": message_id,
        }
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": message_id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(4096)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise TransportError(f"SMS gateway answered {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"SMS gateway unreachable: {exc}") from exc


PROVIDERS = {"log": LoggingSmsProvider, "http": HttpSmsProvider}


def sms_provider() -> SmsProvider:
    name = getattr(settings, "SMS_PROVIDER", "log") or "log"
    cls = PROVIDERS.get(name) or import_string(name)
    return cls()


class SmsTransport(Transport):
    """The outbox's SMS channel: checks the number and hands the text to the provider."""

    def send(self, message) -> None:
        mobile = message.recipient.strip()
        if not MOBILE_RE.match(mobile):
            raise TransportError("not a mainland mobile number", permanent=True)
        sms_provider().send_sms(
            mobile=mobile, text=message.body[:MAX_TEXT], message_id=message.dedupe_key
        )
