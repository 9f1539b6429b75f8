from django.conf import settings
from django.core.mail import EmailMessage

from propdesk.core.transports.base import Transport, TransportError

# Django's backends that keep mail on this machine (development and tests), not deliver it.
NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


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

    def delivers(self) -> bool:
        return settings.EMAIL_BACKEND not in NOT_DELIVERING
