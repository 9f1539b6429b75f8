import logging

from propdesk.core.masking import mask_recipient
from propdesk.core.transports.base import Transport

logger = logging.getLogger("propdesk.outbox")


def log_sent(channel: str, recipient: str, event: str, key: str, text: str) -> None:
    """The one line a log stand-in writes: the masked address, the event, the dedupe key and
    the text's length. Never the text: it may hold a one-time sign-in code or personal data."""
    logger.info(
        "outbox %s to %s [%s] %s: %d characters (text not logged)",
        channel,
        mask_recipient(recipient),
        event,
        key,
        len(text or ""),
    )


class LogTransport(Transport):
    """The stand-in for a channel without a provider (WeChat): a masked line in the log."""

    def send(self, message) -> None:
        log_sent(
            message.channel, message.recipient, message.event, message.dedupe_key, message.body
        )

    def delivers(self) -> bool:
        return False
