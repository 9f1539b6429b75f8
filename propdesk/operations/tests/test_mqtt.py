"""The reader against a real Mosquitto broker: readings arrive, a failing pump opens one request,
and the broker going away and coming back loses nothing and duplicates nothing.

Each test starts its own broker on a free loopback port; without the `mosquitto` program the
tests are skipped with a message (CI installs it)."""

import json
import shutil
import socket
import subprocess
import threading
import time

import pytest

from propdesk.operations.models import Alert, Reading
from propdesk.operations.mqtt import Reader
from propdesk.tickets.models import ServiceRequest

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("mosquitto") is None, reason="mosquitto is not installed"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(port: int) -> subprocess.Popen:
    broker = subprocess.Popen(  # noqa: S603
        [shutil.which("mosquitto"), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return broker
        except OSError:
            time.sleep(0.1)
    broker.kill()
    pytest.skip("mosquitto did not start")


def publish(port: int, items) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", port)
    client.loop_start()
    for topic, body in items:
        client.publish(topic, json.dumps(body), qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def wait_for(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def broker():
    port = free_port()
    process = start_broker(port)
    yield port, process
    process.kill()
    process.wait()


def run_reader(port: int) -> tuple[Reader, threading.Thread]:
    reader = Reader(f"mqtt://127.0.0.1:{port}", flush_seconds=0.1)
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    assert reader.connected.wait(10)
    return reader, thread


def test_a_failing_pump_over_mqtt_opens_one_request(plant, broker):
    port, _process = broker
    reader, thread = run_reader(port)
    try:
        publish(
            port,
            [("propdesk/A/pump-1/pressure", {"value": 0.35})]
            + [("propdesk/A/pump-1/pressure", {"value": 0.05 + i / 1000}) for i in range(20)]
            + [("propdesk/A/pump-1/voltage", {"value": 1}), ("propdesk/A/pump-1/pressure", "x")],
        )
        assert wait_for(lambda: reader.stats.stored + reader.stats.refused >= 23)
    finally:
        reader.stopping.set()
        thread.join(10)
    assert reader.stats.refused == 2
    assert Reading.objects.count() >= 1
    assert Alert.objects.filter(is_open=True).count() == 1
    assert ServiceRequest.objects.filter(channel="device").count() == 1


def test_the_reader_survives_the_broker_going_away(plant, broker):
    port, process = broker
    reader, thread = run_reader(port)
    try:
        publish(port, [("propdesk/A/pump-1/pressure", {"value": 0.05})])
        # Wait on the reader's own count: the test database allows one thread at a time.
        assert wait_for(lambda: reader.stats.stored >= 1)
        assert Alert.objects.filter(is_open=True).count() == 1
        process.kill()
        process.wait()
        assert wait_for(lambda: not reader.connected.is_set(), 10)
        restarted = start_broker(port)
        try:
            assert reader.connected.wait(40), "the reader did not reconnect"
            publish(port, [("propdesk/A/pump-1/pressure", {"value": 0.04})])
            publish(port, [("propdesk/A/lift-3a/stops", {"value": 12})])
            assert wait_for(lambda: reader.stats.stored >= 3)
        finally:
            restarted.kill()
            restarted.wait()
    finally:
        reader.stopping.set()
        thread.join(10)
    assert reader.stats.connects >= 2
    assert Reading.objects.filter(metric="stops").exists()
    assert ServiceRequest.objects.filter(channel="device").count() == 1
    assert Alert.objects.count() == 1
