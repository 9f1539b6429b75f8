"""Delivery channels behind the outbox, one module each (healthchecks' integrations pattern).

`settings.OUTBOX_TRANSPORTS` maps a channel to a Transport class; the default for every channel
logs the message, so a fresh install "delivers" without any provider account.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from propdesk.core.transports.base import Transport, TransportError

DEFAULT_TRANSPORTS = {
    "sms": "propdesk.core.transports.sms.SmsTransport",
    "email": "propdesk.core.transports.email.EmailTransport",
    "in_app": "propdesk.core.transports.in_app.InAppTransport",
    "wechat": "propdesk.core.transports.wechat.WechatTransport",
}


def transport_for(channel: str) -> Transport:
    path = {**DEFAULT_TRANSPORTS, **getattr(settings, "OUTBOX_TRANSPORTS", {})}.get(channel)
    if path is None:
        raise TransportError(f"no transport for channel {channel!r}", permanent=True)
    return import_string(path)()


__all__ = ["Transport", "TransportError", "transport_for"]
