from propdesk.core.transports.base import Transport, TransportError


class InAppTransport(Transport):
    """In-app messages are read from the outbox itself (the portal inbox): sending marks them."""

    def send(self, message) -> None:
        if message.recipient_user_id is None:
            raise TransportError("an in-app message needs a user", permanent=True)
