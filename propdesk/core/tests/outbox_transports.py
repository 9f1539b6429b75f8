"""Transports for the outbox tests: they record what they were asked to send."""

from propdesk.core.transports import Transport, TransportError


class RecordingTransport(Transport):
    sent: list[str] = []
    fail_next: list[TransportError] = []

    def send(self, message) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        RecordingTransport.sent.append(message.dedupe_key)
