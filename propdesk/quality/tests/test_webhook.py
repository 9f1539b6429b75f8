"""The telephone system's events at /api/calls/events: signed, in the time window, each applied
once; forged, stale, replayed, oversized and malformed events change nothing."""

import datetime
import json
import re

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


def test_the_callback_is_credited_to_the_agent_who_answered(post_event, missed_call, extension):
    post_event(event("C14", "ring", NOW))
    post_event(event("C14", "answer", NOW + seconds(3), agent="8001"))
    missed_call.refresh_from_db()
    assert missed_call.called_back_by == extension.user


def test_a_new_calls_ring_is_one_read_and_two_writes(
    post_event, line_a, zhang_san, django_assert_num_queries
):
    # One statement finds no call, no event, the line's community and the caller by number with
    # their house; then the call and its event are written. (The service's transaction is a
    # savepoint inside the test's: two statements more.)
    with django_assert_num_queries(5):
        response = post_event(event("C15", "ring"))
    assert response.status_code == 200
    call = Call.objects.get(pbx_call_id="C15")
    assert call.owner == zhang_san
    assert call.house is not None and call.house.code == "3-2-1502"


def test_a_known_calls_event_locks_the_call_then_writes(
    post_event, line_a, extension, django_assert_num_queries
):
    post_event(event("C22", "ring"))
    # The statement that finds the call (and the extension's agent), the call locked and loaded,
    # the community's ring cycle (to count the rings), the call updated, its event written, the
    # number's earlier unanswered calls settled; the savepoint around them.
    with django_assert_num_queries(8):
        response = post_event(event("C22", "answer", NOW + seconds(4), agent="8001"))
    assert response.json()["state"] == "talking"
    call = Call.objects.get(pbx_call_id="C22")
    assert (call.agent, call.wait_seconds) == (extension.user, 4)


def test_a_replay_of_a_known_call_reads_and_writes_nothing_more(
    post_event, line_a, django_assert_max_num_queries
):
    post_event(event("C16", "ring"))
    with django_assert_max_num_queries(4):
        again = post_event(event("C16", "ring"))
    assert again.json()["applied"] is False


def test_an_unknown_line_is_refused_and_nothing_is_written(post_event, line_a, nothing_changes):
    with nothing_changes():
        response = post_event({**event("C23", "ring"), "line": "4008009999"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "unknown_line",
        "message": "没有这个热线号码。",
        "field": "line",
    }


def test_only_post_is_accepted(client, line_a, nothing_changes):
    with nothing_changes():
        response = client.get("/api/calls/events")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_endpoint_is_in_the_api_document(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/calls/events"]["post"]
    assert {"200", "400", "401", "413", "503"} <= set(operation["responses"])
    assert not operation.get("security")


def test_the_database_being_down_answers_503_in_the_apis_format(post_event, line_a, monkeypatch):
    from django.db import OperationalError

    from propdesk.quality.services import pbx

    def down(_event):
        raise OperationalError("connection refused")

    monkeypatch.setattr(pbx, "event_apply", down)
    response = post_event(event("C24", "ring"))
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "30"


def test_a_number_no_owner_has_matches_nobody(post_event, line_a, zhang_san):
    post_event({**event("C17", "ring"), "number": "13900000000"})
    call = Call.objects.get(pbx_call_id="C17")
    assert (call.owner, call.house, call.party_number) == (None, None, "13900000000")


def test_a_number_of_another_communitys_owner_matches_nobody(post_event, line_b, zhang_san):
    post_event({**event("C18", "ring"), "line": "4008002000"})
    call = Call.objects.get(pbx_call_id="C18")
    assert call.community_id == line_b.community_id
    assert (call.owner, call.house) == (None, None)


def test_an_owner_of_two_houses_is_matched_without_a_house(
    post_event, line_a, zhang_san, building_a, admin
):
    from propdesk.estates import services

    second = services.house_create(
        actor=admin, building=building_a, unit_number="2", number="1601", floor=16, area_m2="89"
    )
    services.ownership_add(
        actor=admin, house=second, owner=zhang_san, start_on=datetime.date(2022, 1, 1)
    )
    post_event(event("C19", "ring"))
    call = Call.objects.get(pbx_call_id="C19")
    assert (call.owner, call.house) == (zhang_san, None)


def test_two_owners_with_one_mobile_match_nobody(post_event, line_a, zhang_san, admin):
    from propdesk.estates import services

    services.owner_create(
        actor=admin, community=zhang_san.community, name="张三之妻", mobile="13812345678"
    )
    post_event(event("C20", "ring"))
    call = Call.objects.get(pbx_call_id="C20")
    assert (call.owner, call.house) == (None, None)


def test_a_call_is_found_by_its_pbx_id_through_the_index():
    # The unique index on the call id is partial (calls taken at the desk have none): SQLite uses
    # it only when the query states its condition, else each event would scan every call.
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked is SQLite's")
    sql, params = Call.objects.pbx("C21").values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "call_pbx_id_unique" in plan, plan


def test_the_events_one_read_uses_an_index_for_every_lookup(line_a):
    from django.db import connection

    from propdesk.quality.services import pbx

    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked is SQLite's")
    body = json.dumps(event("C25", agent="8001")).encode()
    sql, params = pbx.event_context_query(pbx.parse(body))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    # Only the statement's own one-row results are scanned; every table is searched by an index.
    assert not re.search(r"SCAN (quality|estates)_", plan), plan
    assert "SEARCH quality_call USING COVERING INDEX call_pbx_id_unique" in plan, plan
    assert "SEARCH quality_pbxevent USING COVERING INDEX" in plan, plan
    assert "SEARCH quality_hotlineline USING INDEX" in plan, plan
    assert "SEARCH estates_owner USING COVERING INDEX owner_mobile_any" in plan, plan
    assert "SEARCH s USING INDEX" in plan, plan  # the caller's ownerships
    assert "SEARCH quality_agentextension USING" in plan, plan


def test_the_rows_the_webhook_inserts_have_no_save_hooks_to_skip():
    # A new call and its event are inserted by one prepared statement each (core.rows.insert_row),
    # not through save(): that holds only while neither model reacts to saving.
    from django.db.models import Model
    from django.db.models.signals import post_save, pre_save

    for model in (Call, PbxEvent):
        assert model.save is Model.save, model
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model), model
