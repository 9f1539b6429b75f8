"""SMS behind a provider interface: a logging provider by default, an HTTP adapter by settings.

Settings (read with defaults, so none is needed on a fresh install):

- `SMS_PROVIDER`: "log" (default: a masked line in the log, never the text, so a sign-in code
  is never written down), "http", or the dotted path of an `SmsProvider` class;
- `SMS_HTTP_URL`, `SMS_HTTP_TOKEN`, `SMS_HTTP_TIMEOUT` (seconds, default 10), `SMS_SIGN_NAME`
  (the 【签名】 Chinese carriers require, default empty): the HTTP adapter's endpoint. It POSTs
  JSON `{"mobile", "text", "sign_name", "message_id"}` with `Authorization: Bearer <token>` and
  an `Idempotency-Key` header (the outbox dedupe key), so a provider can drop a retried send.

A 4xx answer is a permanent failure (bad number or content: retrying will not help, the message
ends as dead); 5xx answers, timeouts and connection errors are retried with the outbox back-off.
"""

import abc
import datetime
import json
import re
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from propdesk.core.transports.base import Transport, TransportDeferred, TransportError
from propdesk.core.transports.log import log_sent
from propdesk.core.transports.sms_gateway import RateLimits
from propdesk.core.transports.sources import provider_source

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
MAX_TEXT = 500  # long SMS are split by carriers into 67-character parts; 500 is plenty


class SmsProvider(abc.ABC):
    """One SMS gateway. `send_sms` delivers or raises TransportError (permanent or not)."""

    @abc.abstractmethod
    def send_sms(self, *, mobile: str, text: str, message_id: str) -> None: ...

    def delivers(self) -> bool:
        """Whether texts reach phones (a real gateway with its settings in place)."""
        return True


class LoggingSmsProvider(SmsProvider):
    """The default until a gateway is configured: a masked line in the log, never the text."""

    def send_sms(self, *, mobile: str, text: str, message_id: str) -> None:
        log_sent("sms", mobile, "-", message_id, text)

    def delivers(self) -> bool:
        return False


class HttpSmsProvider(SmsProvider):
    """A generic JSON-over-HTTPS gateway (most Chinese SMS vendors offer one, or a thin relay)."""

    def __init__(self):
        self.url = getattr(settings, "SMS_HTTP_URL", "")
        self.token = getattr(settings, "SMS_HTTP_TOKEN", "")
        self.timeout = float(getattr(settings, "SMS_HTTP_TIMEOUT", 10))
        self.sign_name = getattr(settings, "SMS_SIGN_NAME", "")

    def delivers(self) -> bool:
        return self.url.startswith("https://") and bool(self.token)

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


def configured_gateway(message):
    """The template gateway (Aliyun, Tencent) the message's company configured, or None."""
    source = provider_source("sms")
    return source.for_message(message) if source is not None else None


def rate_limit_deferral(message, limits: RateLimits, *, now=None):
    """A TransportDeferred when the number already got its share in one of the windows (counted
    from what the outbox sent it, across every worker), else None. The message then waits until
    the oldest send in that window is out of it."""
    from propdesk.core.models import OutboxMessage

    now = now or timezone.now()
    longest = max(window for window, _limit in limits.windows())
    sent = list(
        OutboxMessage.objects.filter(
            channel="sms", recipient=message.recipient.strip(), sent_at__gt=now - longest
        )
        .exclude(id=message.id)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
    )
    for window, limit in limits.windows():
        inside = [at for at in sent if at > now - window]
        if limit > 0 and len(inside) >= limit:
            retry_at = inside[limit - 1] + window + datetime.timedelta(seconds=1)
            return TransportDeferred(
                f"per-number limit: {limit} in {int(window.total_seconds() // 60)} min",
                retry_at=retry_at,
            )
    return None


class SmsTransport(Transport):
    """The outbox's SMS channel: checks the number and hands the message to the company's
    template gateway (within the per-number limits), or to the settings' provider."""

    def send(self, message) -> str | None:
        mobile = message.recipient.strip()
        if not MOBILE_RE.match(mobile):
            raise TransportError("not a mainland mobile number", permanent=True, unreachable=True)
        gateway = configured_gateway(message)
        if gateway is not None:
            deferral = rate_limit_deferral(message, gateway.config.limits)
            if deferral is not None:
                raise deferral
            return gateway.send(message, mobile=mobile)
        sms_provider().send_sms(
            mobile=mobile, text=message.body[:MAX_TEXT], message_id=message.dedupe_key
        )
        return None

    def delivers(self) -> bool:
        source = provider_source("sms")
        if source is not None and source.deploy_problems()[0]:
            return True
        return sms_provider().delivers()
