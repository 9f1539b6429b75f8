"""A transport for the community tests: it counts what it was asked to send (thread-safe)."""

import threading

from propdesk.core.transports import Transport

_lock = threading.Lock()


class CountingTransport(Transport):
    sent: list[tuple[str, str]] = []

    def send(self, message) -> None:
        with _lock:
            CountingTransport.sent.append((message.channel, message.recipient))
