"""Device readings: what is refused, what is stored once, and alerts that open one request."""

import json

import pytest
import time_machine

from propdesk.operations import readings
from propdesk.operations.models import Alert, Equipment, Reading, ReadingHour
from propdesk.operations.tests.conftest import at, message
from propdesk.tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db

NOW = "2026-07-08 10:00"


@pytest.fixture
def clock():
    with time_machine.travel(at(NOW), tick=False) as traveller:
        yield traveller


def ingest(*messages, when=NOW):
    return readings.ingest(list(messages), received_at=at(when))


@pytest.mark.parametrize(
    "topic, payload, reason",
    [
        ("propdesk/A/pump-1", b"1", "topic"),
        ("other/A/pump-1/pressure", b"1", "topic"),
        ("propdesk/A/pump-1/pressure/extra", b"1", "topic"),
        ("propdesk/A/pump-1/voltage", b"1", "unknown metric"),
        ("propdesk/A/pump-1/pressure", b"not json", "not JSON"),
        ("propdesk/A/pump-1/pressure", b"\xff\xfe", "not JSON"),
        ("propdesk/A/pump-1/pressure", b'"0.3"', "not a number"),
        ("propdesk/A/pump-1/pressure", b"true", "not a number"),
        ("propdesk/A/pump-1/pressure", b'{"value": null}', "not a number"),
        ("propdesk/A/pump-1/pressure", b"NaN", "outside"),
        ("propdesk/A/pump-1/pressure", b"-0.5", "outside"),
        ("propdesk/A/pump-1/pressure", b"1e308", "outside"),
        ("propdesk/A/pump-1/pressure", b'{"value": 0.3, "at": "yesterday"}', "ISO"),
        ("propdesk/A/pump-1/pressure", b'{"value": 0.3, "at": "2026-07-08T10:00:00"}', "zone"),
        ("propdesk/A/pump-1/pressure", b'{"value": 0.3, "at": 5}', "ISO"),
        (
            "propdesk/A/pump-1/pressure",
            b'{"value": 0.3, "at": "2026-07-08T11:00:00+08:00"}',
            "future",
        ),
        ("propdesk/A/pump-1/pressure", b"[" + b"1," * 600 + b"1]", "bytes"),
        ("propdesk/A/pump-9/pressure", b"0.3", "no such equipment"),
        ("propdesk/C/pump-1/pressure", b"0.3", "no such equipment"),
        ("propdesk/A/<script>/pressure", b"0.3", "no such equipment"),
    ],
)
def test_a_malformed_reading_is_refused_and_nothing_is_written(plant, topic, payload, reason):
    with pytest.raises(readings.Refused, match=reason):
        readings.parse(topic, payload, at(NOW))
    result = ingest((topic, payload))
    assert (result.stored, result.refused) == (0, 1)
    assert not Reading.objects.exists()
    assert not Alert.objects.exists()


def test_a_refused_reading_is_logged_with_its_reason(plant, caplog):
    ingest(("propdesk/A/pump-1/pressure", b"oops"))
    assert "payload is not JSON" in caplog.text


def test_readings_are_stored_in_their_community_and_a_replay_is_stored_once(plant):
    first = message("A", "pump-1", "pressure", 0.35, "2026-07-08 09:59")
    result = ingest(first, first, message("B", "pump-1", "pressure", 0.34, "2026-07-08 09:59"))
    assert result.refused == 0
    ingest(first)  # the broker redelivers it after a reconnect
    rows = Reading.objects.order_by("community_id").values_list(
        "community_id", "equipment_id", "value"
    )
    assert list(rows) == [
        (plant.pump.community_id, plant.pump.id, 0.35),
        (plant.pump_b.community_id, plant.pump_b.id, 0.34),
    ]


def test_a_bare_number_is_read_at_its_arrival(plant):
    ingest(("propdesk/A/pump-1/pressure", b"0.31"))
    assert Reading.objects.get().at == at(NOW)


def test_a_retired_pump_reports_nothing(plant):
    Equipment.objects.filter(pk=plant.pump.pk).update(status="retired")
    readings.directory_clear()
    assert ingest(message("A", "pump-1", "pressure", 0.3)).refused == 1


def test_low_pressure_opens_one_alert_and_one_request_however_many_readings(plant, clock):
    batch = [
        message("A", "pump-1", "pressure", v, f"2026-07-08 09:5{i}")
        for i, v in enumerate([0.12, 0.1, 0.09])
    ]
    result = ingest(*batch)
    ingest(message("A", "pump-1", "pressure", 0.08, "2026-07-08 09:59"))
    assert result.alerts_opened == 1
    alert = Alert.objects.get()
    assert (alert.is_open, alert.first_value, alert.last_value) == (True, 0.09, 0.08)
    request = ServiceRequest.objects.get()
    assert alert.request == request
    assert (request.channel, request.category.code, request.urgency.code) == (
        "device",
        "repair_water",
        "normal",
    )
    assert request.building_id == plant.pump.building_id
    assert "生活水泵1号" in request.description and "0.09" in request.description
    assert request.created_by.username == "device-monitor"
    plant.pump.refresh_from_db()
    assert plant.pump.status == "fault"
    assert plant.pump.request_links.get().request == request


def test_normal_readings_again_close_the_alert_and_say_so_on_the_request(plant, clock):
    ingest(message("A", "pump-1", "pressure", 0.1, "2026-07-08 09:50"))
    result = ingest(message("A", "pump-1", "pressure", 0.33, "2026-07-08 09:58"))
    assert result.alerts_closed == 1
    alert = Alert.objects.get()
    assert (alert.is_open, alert.closed_at) == (False, at("2026-07-08 09:58"))
    request = alert.request
    assert request.is_open  # the engineer still closes the job
    assert request.notes.filter(text__contains="0.33").exists()


def test_a_replayed_old_low_reading_after_recovery_opens_nothing(plant, clock):
    low = message("A", "pump-1", "pressure", 0.1, "2026-07-08 09:50")
    ingest(low)
    ingest(message("A", "pump-1", "pressure", 0.33, "2026-07-08 09:58"))
    ingest(low)
    assert Alert.objects.count() == 1 and ServiceRequest.objects.count() == 1
    assert not Alert.objects.filter(is_open=True).exists()


def test_a_second_fault_after_recovery_opens_a_second_request(plant, clock):
    ingest(message("A", "pump-1", "pressure", 0.1, "2026-07-08 09:50"))
    ingest(message("A", "pump-1", "pressure", 0.33, "2026-07-08 09:55"))
    ingest(message("A", "pump-1", "pressure", 0.05, "2026-07-08 09:59"))
    assert Alert.objects.count() == 2 and ServiceRequest.objects.count() == 2


def test_a_communitys_own_rule_replaces_the_default_there_only(plant, clock, personas):
    from propdesk.operations import services

    services.rule_set(
        actor=personas["supervisor"],
        community=plant.pump.community,
        kind="pump",
        metric="pressure",
        low=0.3,
        high=None,
        emergency=True,
        category="repair_water",
    )
    readings.directory_clear()
    ingest(
        message("A", "pump-1", "pressure", 0.25, "2026-07-08 09:50"),
        message("B", "pump-1", "pressure", 0.25, "2026-07-08 09:50"),
    )
    alert = Alert.objects.get()
    assert alert.community_id == plant.pump.community_id
    assert alert.request.urgency.code == "emergency"


def test_metrics_without_a_rule_are_only_stored(plant, clock):
    ingest(message("A", "lift-3a", "temperature", 80.0, "2026-07-08 09:50"))
    assert Reading.objects.count() == 1 and not Alert.objects.exists()


def test_old_readings_are_folded_into_hours(plant):
    rows = [
        message("A", "pump-1", "pressure", v, f"2026-06-20 10:{m:02d}")
        for m, v in [(1, 0.3), (20, 0.4), (40, 0.5)]
    ]
    rows.append(message("A", "pump-1", "pressure", 0.35, "2026-07-08 09:00"))
    readings.ingest(rows, received_at=at("2026-07-08 10:00"))
    folded = readings.downsample(now=at("2026-07-08 10:00"))
    assert folded == 3
    hour = ReadingHour.objects.get()
    assert (hour.count, hour.minimum, hour.maximum) == (3, 0.3, 0.5)
    assert hour.mean == pytest.approx(0.4)
    assert Reading.objects.count() == 1  # the recent one stays raw
    # Folding again later adds to the same hour without double counting.
    readings.ingest(
        [message("A", "pump-1", "pressure", 0.2, "2026-06-20 10:50")],
        received_at=at("2026-07-08 10:00"),
    )
    readings.downsample(now=at("2026-07-08 10:00"))
    hour.refresh_from_db()
    assert (hour.count, hour.minimum) == (4, 0.2)


def test_payload_json_shapes(plant):
    topic = "propdesk/A/pump-1/pressure"
    assert readings.parse(topic, json.dumps({"value": 1}).encode(), at(NOW)).value == 1.0
    assert readings.parse(topic, b"0", at(NOW)).value == 0.0


def test_the_demo_registers_its_plant_once_per_community(
    community_a, community_b, building_a, house_b
):
    from propdesk.operations.demo import PLANT, load_demo_operations

    assert load_demo_operations(communities=[community_a, community_b]) == 2 * len(PLANT)
    assert load_demo_operations(communities=[community_a, community_b]) == 0
    assert Equipment.objects.filter(community=community_a, kind="pump").count() == 2
