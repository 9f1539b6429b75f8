from django.conf import settings
from django.core.mail import EmailMessage

from propdesk.core.transports.base import Transport, TransportError


class EmailTransport(Transport):
    """Email through Django's configured backend (SMTP in production, console in development)."""

    def send(self, message) -> None:
        if "@" not in message.recipient:
            raise TransportError("not an email address", permanent=True)
        email = EmailMessage(
            subject=message.subject or message.event,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"X-Propdesk-Message": message.dedupe_key},
        )
        try:
            email.send()
        except OSError as exc:  # connection problems are worth a retry
            raise TransportError(str(exc)) from exc
