"""`manage.py read_devices`: the long-running device reader.

The deployment starts it beside the worker when devices report over MQTT."""

import logging
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from propdesk.operations.mqtt import Reader, broker_address


class Command(BaseCommand):
    help = "Read device readings from the MQTT broker (DEVICE_MQTT_URL) and raise alerts."

    def add_arguments(self, parser):
        parser.add_argument("--broker", default=settings.DEVICE_MQTT_URL, help="mqtt://host:port")
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
        parser.add_argument("--flush-ms", type=int, default=500)

    def handle(self, *args, broker, seconds, flush_ms, **options):
        if not broker:
            raise CommandError(
                "No broker: set DEVICE_MQTT_URL (e.g. mqtt://127.0.0.1:1883) or pass --broker."
            )
        try:
            broker_address(broker)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        reader = Reader(broker, flush_seconds=flush_ms / 1000)
        signal.signal(signal.SIGTERM, lambda *_: reader.stopping.set())
        try:
            stats = reader.run(seconds=seconds)
        except KeyboardInterrupt:
            reader.stopping.set()
            stats = reader.stats
        self.stdout.write(
            f"received {stats.received}, stored {stats.stored}, refused {stats.refused}, "
            f"dropped {stats.dropped}, connections {stats.connects}, "
            f"flushes {stats.flushes}, max lag {stats.max_lag:.2f} s"
        )
