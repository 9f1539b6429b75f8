"""Template SMS gateways (Aliyun, Tencent Cloud): what they share.

Mainland carriers only deliver SMS from an approved signature (签名) and template (模板): a
provider sends a registered template code with parameters, never free text. Each company
registers, per message kind (the outbox event), the template code and which event variable fills
each template parameter (`SmsTemplateRef.params`: [(parameter, variable), …]; the variable
`text` is the rendered message itself, for a generic template with one parameter).

An adapter's `send_template` returns the provider's message id (kept on the outbox row for the
delivery receipt) or raises, classified for the outbox:

- `TransportDeferred` — the provider's per-number flow control, a daily limit, our own per-number
  limits (`RateLimits`): the message waits for the window to pass, costing no attempt;
- `TransportError` (temporary) — throttling of the account, timeouts, 5xx, "system busy": retried
  with the outbox back-off;
- `TransportError(unreachable=True)` — the number does not exist or is not a mobile: the outbox
  marks it on the person (`core.unreachable`) and stops sending to it;
- `TransportError(permanent=True)` — credentials, signature or template refused, missing
  parameters, no balance: retrying will not help; the settings page shows the last error.

Nothing here logs or raises with a secret: exception texts carry the provider's code only.
"""

from __future__ import annotations

import abc
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from propdesk.core.secrets import Secret
from propdesk.core.transports.base import TransportDeferred, TransportError


@dataclass(frozen=True)
class SmsTemplateRef:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def values(self, message) -> list[tuple[str, str]]:
        """(parameter, value) in order, from the message's variables (`text`: its body)."""
        variables = {**(getattr(message, "params", None) or {}), "text": message.body}
        missing = [var for _name, var in self.params if var not in variables]
        if missing:
            raise TransportError(
                f"the message has no value for template variable(s) {', '.join(missing)}",
                permanent=True,
            )
        return [
            (name, str(variables[var])[: 35 if var != "text" else 300]) for name, var in self.params
        ]


@dataclass(frozen=True)
class DeliveryReport:
    """A delivery status pulled from the provider (Aliyun QuerySendDetails, Tencent
    PullSmsSendStatus): the provider's message id and number, and what became of it."""

    provider_ref: str
    mobile: str
    delivered: bool | None  # None: the carrier has not answered yet
    error: str = ""
    at: datetime.datetime | None = None
    unreachable: bool = False


@dataclass(frozen=True)
class RateLimits:
    """How many SMS one number may get per minute, hour and day (the providers' defaults)."""

    per_minute: int = 1
    per_hour: int = 5
    per_day: int = 10

    def windows(self) -> list[tuple[datetime.timedelta, int]]:
        return [
            (datetime.timedelta(minutes=1), self.per_minute),
            (datetime.timedelta(hours=1), self.per_hour),
            (datetime.timedelta(days=1), self.per_day),
        ]


@dataclass(frozen=True)
class SmsGatewayConfig:
    provider: str  # "aliyun" | "tencent"
    access_key_id: Secret
    access_key_secret: Secret
    sign_name: str
    endpoint: str = ""  # host[:port]; empty: the provider's public endpoint
    scheme: str = "https"
    region: str = ""
    sdk_app_id: str = ""  # Tencent's SmsSdkAppId
    timeout: float = 10.0
    limits: RateLimits = field(default_factory=RateLimits)
    templates: dict = field(default_factory=dict)  # event → SmsTemplateRef
    label: str = ""


class TemplateSmsGateway(abc.ABC):
    """One provider account of one company."""

    name = ""

    def __init__(self, config: SmsGatewayConfig):
        self.config = config

    def template_for(self, event: str) -> SmsTemplateRef:
        template = self.config.templates.get(event) or self.config.templates.get("*")
        if template is None:
            raise TransportError(
                f"no {self.name} SMS template is registered for {event!r}", permanent=True
            )
        return template

    @abc.abstractmethod
    def send_template(
        self,
        *,
        mobile: str,
        template: SmsTemplateRef,
        values: list[tuple[str, str]],
        message_id: str,
    ) -> str: ...

    def delivery_reports(self, messages) -> list[DeliveryReport]:
        """Pull the delivery statuses of `messages` (sent, no receipt yet) where the provider
        offers it; an adapter that cannot answers none. Raises TransportError when the
        provider cannot be asked now."""
        return []

    def send(self, message, *, mobile: str) -> str:
        template = self.template_for(message.event)
        return self.send_template(
            mobile=mobile,
            template=template,
            values=template.values(message),
            message_id=message.dedupe_key,
        )


def next_window(minutes: int = 0, hours: int = 0, days: int = 0) -> datetime.datetime:
    """When a provider's per-number window has passed: the next minute, hour or local day."""
    now = timezone.localtime()
    if days:
        start = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=5)
        return start.replace(microsecond=0)
    if hours:
        return now + datetime.timedelta(hours=1)
    return now + datetime.timedelta(minutes=max(minutes, 1))


def deferred(reason: str, *, minutes: int = 0, hours: int = 0, days: int = 0) -> TransportDeferred:
    return TransportDeferred(reason, retry_at=next_window(minutes, hours, days))
