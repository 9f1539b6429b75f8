import logging

from propdesk.core.transports.base import Transport

logger = logging.getLogger("propdesk.outbox")


class LogTransport(Transport):
    """The default for SMS and WeChat until a provider is configured: messages go to the log."""

    def send(self, message) -> None:
        logger.info(
            "outbox %s to %s [%s]: %s",
            message.channel,
            message.recipient,
            message.event,
            message.body,
        )
