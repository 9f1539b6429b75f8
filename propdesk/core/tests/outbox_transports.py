"""Transports for the outbox tests: they record what they were asked to send."""

from propdesk.core.transports import Transport, TransportError


class RecordingTransport(Transport):
    sent: list[str] = []
    fail_next: list[TransportError] = []

    def send(self, message) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        RecordingTransport.sent.append(message.dedupe_key)


def skip_everything(*, user, channel, urgent, at):
    """A delivery policy for the tests: everything not urgent is skipped."""
    from propdesk.notices.delivery_policy import Decision

    return Decision(send_at=at) if urgent else Decision(skip=True, send_at=at, reason="test")


class CountingTransport(Transport):
    """Counts every send by dedupe key, whichever thread sends (the concurrency tests)."""

    sent: list[str] = []

    def send(self, message) -> None:
        CountingTransport.sent.append(message.dedupe_key)
