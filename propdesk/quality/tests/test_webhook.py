"""The telephone system's events at /api/calls/events: signed, in the time window, each applied
once; forged, stale, replayed, oversized and malformed events change nothing."""

import datetime
import json

import pytest

from propdesk.quality.models import Call, CallState, PbxEvent
from propdesk.quality.tests.conftest import NOW, event, signed

pytestmark = pytest.mark.django_db


def seconds(n):
    return datetime.timedelta(seconds=n)


def test_ring_answer_hangup_record_one_answered_call(post_event, line_a, extension, zhang_san):
    assert post_event(event("C1", "ring")).status_code == 200
    answer = post_event(event("C1", "answer", NOW + seconds(2), agent="8001"))
    assert answer.status_code == 200
    assert answer.json()["state"] == "talking"
    hangup = post_event(event("C1", "hangup", NOW + seconds(62), cause="agent"))
    assert hangup.json() == {"call": Call.objects.get().pk, "state": "answered", "applied": True}
    call = Call.objects.get()
    assert call.community_id == line_a.community_id
    assert call.agent == extension.user
    assert call.owner == zhang_san
    assert call.house is not None and call.house.code == "3-2-1502"
    assert (call.wait_seconds, call.talk_seconds, call.rings) == (2, 60, 1)
    assert call.source == "pbx"


def test_events_in_any_order_give_the_same_call(post_event, line_a):
    post_event(event("C2", "hangup", NOW + seconds(40), cause="agent"))
    post_event(event("C2", "answer", NOW + seconds(12)))
    post_event(event("C2", "ring", NOW))
    call = Call.objects.get()
    assert call.state == CallState.ANSWERED
    assert (call.wait_seconds, call.talk_seconds, call.rings) == (12, 28, 3)


def test_a_caller_who_hangs_up_is_abandoned_and_waits_for_a_callback(post_event, line_a):
    post_event(event("C3", "ring"))
    post_event(event("C3", "hangup", NOW + seconds(15), cause="caller"))
    call = Call.objects.get()
    assert call.state == CallState.ABANDONED
    assert call.wait_seconds == 15
    assert call.awaits_callback


def test_no_answer_is_missed_and_voicemail_is_voicemail(post_event, line_a):
    post_event(event("C4", "ring"))
    post_event(event("C4", "hangup", NOW + seconds(30), cause="no_answer"))
    post_event(event("C5", "ring"))
    post_event(event("C5", "hangup", NOW + seconds(30), cause="voicemail"))
    assert Call.objects.get(pbx_call_id="C4").state == CallState.MISSED
    assert Call.objects.get(pbx_call_id="C5").state == CallState.VOICEMAIL


def test_a_replayed_event_changes_nothing(post_event, line_a, nothing_changes):
    post_event(event("C6", "ring"))
    post_event(event("C6", "hangup", NOW + seconds(20), cause="caller"))
    with nothing_changes():
        again = post_event(event("C6", "hangup", NOW + seconds(99), cause="voicemail"))
    assert again.status_code == 200
    assert again.json()["applied"] is False
    assert Call.objects.get().state == CallState.ABANDONED
    assert PbxEvent.objects.count() == 2


def test_a_forged_signature_is_refused(client, line_a, nothing_changes):
    headers, body = signed(event("C7"), secret="guessed")
    with nothing_changes():
        response = client.post(
            "/api/calls/events", data=body, content_type="application/json", **headers
        )
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"


def test_a_body_changed_after_signing_is_refused(client, line_a, nothing_changes):
    headers, body = signed(event("C7"))
    tampered = body.replace(b"13812345678", b"13900000000")
    with nothing_changes():
        response = client.post(
            "/api/calls/events", data=tampered, content_type="application/json", **headers
        )
    assert response.status_code == 401


def test_an_unsigned_event_is_refused(client, line_a, nothing_changes):
    with nothing_changes():
        response = client.post(
            "/api/calls/events", data=json.dumps(event()), content_type="application/json"
        )
    assert response.status_code == 401
    assert response.json()["code"] == "unsigned"


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_a_stale_or_future_timestamp_is_refused(post_event, line_a, nothing_changes, offset):
    with nothing_changes():
        response = post_event(event("C8"), timestamp=int(NOW.timestamp()) + offset)
    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"


def test_a_timestamp_inside_the_window_is_accepted(post_event, line_a):
    response = post_event(event("C9"), timestamp=int(NOW.timestamp()) - 299)
    assert response.status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(post_event, line_a, nothing_changes):
    payload = event("C10", note="x" * 9000)
    with nothing_changes():
        response = post_event(payload)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b"null", b"\xff\xfe", json.dumps({"event": "ring"}).encode()],
)
def test_a_malformed_body_is_refused(post_event, line_a, nothing_changes, body):
    with nothing_changes():
        response = post_event(body)
    assert response.status_code == 400
    assert response.json()["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event": "transfer"}, "event"),
        ({"at": "yesterday"}, "at"),
        ({"at": "2026-07-10T10:00:00"}, "at"),  # no offset
        ({"at": "2020-01-01T10:00:00+08:00"}, "at"),
        ({"number": "<script>"}, "number"),
        ({"line": "4008009999"}, "line"),
        ({"direction": "sideways"}, "direction"),
        ({"rings": "three"}, "rings"),
        ({"call_id": "x" * 65}, "call_id"),
        ({"call_id": "a\u0000b"}, "call_id"),
        ({"recording_url": "javascript:alert(1)"}, "recording_url"),
    ],
)
def test_a_wrong_field_is_named(post_event, line_a, nothing_changes, change, field):
    with nothing_changes():
        response = post_event({**event("C11"), **change})
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_an_unconfigured_webhook_refuses_everything(post_event, line_a, settings, nothing_changes):
    settings.PBX_WEBHOOK_SECRET = ""
    with nothing_changes():
        response = post_event(event("C12"), secret="")
    assert response.status_code == 503


def test_an_answered_call_from_the_number_settles_its_callbacks(post_event, missed_call):
    assert missed_call.awaits_callback
    post_event(event("C13", "ring", NOW))
    post_event(event("C13", "answer", NOW + seconds(2)))
    missed_call.refresh_from_db()
    assert missed_call.called_back_at == NOW + seconds(2)
