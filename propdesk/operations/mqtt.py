"""The device reader: subscribes to the MQTT broker and hands readings over in batches.

It reconnects by itself when the broker goes away (paho's reconnect with back-off) and
subscribes again on every connection. Messages wait in memory until the next flush; a flush that
meets a database error keeps them for the next try (up to `max_pending`, beyond which the oldest
are dropped with a log line). Duplicates a broker redelivers after a reconnect are harmless:
readings are stored once per instant and an alert opens once.
"""

import collections
import dataclasses
import logging
import os
import threading
import time
import urllib.parse

from django.db import DatabaseError, close_old_connections

from propdesk.operations import readings

log = logging.getLogger("propdesk.operations.mqtt")

SUBSCRIPTION = f"{readings.TOPIC_PREFIX}/+/+/+"


def broker_address(url: str) -> tuple[str, int]:
    """`mqtt://host:port` (or host:port) → (host, port)."""
    parsed = urllib.parse.urlsplit(url if "://" in url else f"mqtt://{url}")
    if parsed.scheme not in ("mqtt", "tcp") or not parsed.hostname:
        raise ValueError(f"not an MQTT broker address: {url!r}")
    return parsed.hostname, parsed.port or 1883


@dataclasses.dataclass
class Stats:
    received: int = 0
    stored: int = 0
    refused: int = 0
    dropped: int = 0
    flushes: int = 0
    connects: int = 0
    max_lag: float = 0.0  # seconds between a message's arrival and its flush


class Reader:
    def __init__(
        self,
        url: str,
        *,
        flush_seconds: float = 0.5,
        max_batch: int = 5000,
        max_pending: int = 500_000,
        client_id: str = "",
    ) -> None:
        import paho.mqtt.client as mqtt

        self.host, self.port = broker_address(url)
        self.flush_seconds = flush_seconds
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.pending: collections.deque = collections.deque()
        self.stats = Stats()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or f"propdesk-reader-{os.getpid()}",
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("broker refused the connection: %s", reason_code)
            return
        self.stats.connects += 1
        client.subscribe(SUBSCRIPTION, qos=1)
        log.info("connected to %s:%s", self.host, self.port)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        # Readings flow from the broker's acknowledgement of the subscription on.
        self.connected.set()
        log.info("subscribed to %s", SUBSCRIPTION)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stopping.is_set():
            log.warning("broker connection lost (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        self.stats.received += 1
        if len(self.pending) >= self.max_pending:
            self.pending.popleft()
            self.stats.dropped += 1
        self.pending.append((message.topic, message.payload, time.monotonic()))

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()
        self.client.disconnect()
        self.client.loop_stop()

    def flush(self) -> int:
        """Hand the waiting messages to the reading service; return how many were taken."""
        batch = []
        while self.pending and len(batch) < self.max_batch:
            batch.append(self.pending.popleft())
        if not batch:
            return 0
        try:
            close_old_connections()
            result = readings.ingest([(topic, payload) for topic, payload, _t in batch])
        except DatabaseError:
            log.exception("database error; %d readings kept for the next try", len(batch))
            self.pending.extendleft(reversed(batch))
            return 0
        now = time.monotonic()
        self.stats.max_lag = max(self.stats.max_lag, now - batch[0][2])
        self.stats.stored += result.stored
        self.stats.refused += result.refused
        self.stats.flushes += 1
        return len(batch)

    def run(self, *, seconds: float | None = None) -> Stats:
        """Read until stopped (or for `seconds`), flushing every `flush_seconds`."""
        self.start()
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            while not self.stopping.is_set():
                started = time.monotonic()
                while self.flush() >= self.max_batch:
                    pass
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self.stopping.wait(max(0.0, self.flush_seconds - (time.monotonic() - started)))
        finally:
            self.stop()
            while self.flush():
                pass
        return self.stats
