"""`manage.py simulate_devices`: realistic readings for the demo's equipment, one pump failing."""

import json
import math
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from propdesk.operations.models import Equipment, EquipmentKind, EquipmentStatus, Metric
from propdesk.operations.mqtt import broker_address

# kind → [(metric, normal value, noise)]
NORMAL = {
    EquipmentKind.PUMP: [(Metric.PRESSURE, 0.35, 0.02), (Metric.CURRENT, 12.0, 0.6)],
    EquipmentKind.TANK: [(Metric.LEVEL, 75.0, 3.0)],
    EquipmentKind.LIFT: [(Metric.STOPS, 24.0, 4.0)],
    EquipmentKind.AC: [(Metric.TEMPERATURE, 24.0, 0.8)],
    EquipmentKind.DRAINAGE: [(Metric.LEVEL, 20.0, 4.0)],
    EquipmentKind.GENERATOR: [(Metric.TEMPERATURE, 45.0, 2.0)],
}


def value_at(kind, metric, normal, noise, *, failing: bool, progress: float, rng) -> float:
    value = normal + rng.gauss(0, noise)
    if failing and metric == Metric.PRESSURE:
        value = normal * max(0.15, 1 - progress)  # the pressure falls away
    if failing and metric == Metric.CURRENT:
        value = normal * (1 + progress)  # the motor labours
    return round(max(0.0, value), 3)


class Command(BaseCommand):
    help = "Publish realistic device readings for the registered equipment (one pump failing)."

    def add_arguments(self, parser):
        parser.add_argument("--broker", default=settings.DEVICE_MQTT_URL or "mqtt://127.0.0.1:1883")
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--fail", default="", help="code of the pump that fails")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, broker, seconds, interval, fail, seed, **options):
        import paho.mqtt.client as mqtt

        host, port = broker_address(broker)
        equipment = list(
            Equipment.objects.exclude(status=EquipmentStatus.RETIRED).select_related("community")
        )
        if not equipment:
            raise CommandError("No equipment registered: load the demo or register some first.")
        if not fail:
            pumps = [e for e in equipment if e.kind == EquipmentKind.PUMP]
            fail = pumps[0].code if pumps else ""
        rng = random.Random(seed)  # noqa: S311 — simulated noise, not secrets
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="propdesk-simulator")
        client.connect(host, port)
        client.loop_start()
        started = time.monotonic()
        rounds = sent = 0
        try:
            while (elapsed := time.monotonic() - started) < seconds:
                progress = min(1.0, elapsed / max(seconds / 2, 1e-6))
                at = timezone.now().isoformat()
                for item in equipment:
                    for metric, normal, noise in NORMAL.get(item.kind, []):
                        value = value_at(
                            item.kind,
                            metric,
                            normal,
                            noise,
                            failing=item.code == fail,
                            progress=progress,
                            rng=rng,
                        )
                        if not math.isfinite(value):
                            continue
                        topic = f"propdesk/{item.community.code}/{item.code}/{metric}"
                        client.publish(topic, json.dumps({"value": value, "at": at}), qos=1)
                        sent += 1
                rounds += 1
                time.sleep(interval)
        finally:
            client.loop_stop()
            client.disconnect()
        self.stdout.write(f"published {sent} readings in {rounds} rounds; failing pump: {fail}")
