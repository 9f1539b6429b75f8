"""The call desk's services: opening a call, ending it with each outcome, and calling back."""

import datetime

import pytest

from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.quality.models import Call, CallOutcome, CallState
from propdesk.quality.services import calls
from propdesk.quality.tests.conftest import NOW
from propdesk.tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db


def test_taking_a_call_opens_it_answered_by_the_agent(live_call, agent, zhang_san, house_a):
    assert live_call.agent == agent
    assert live_call.state == CallState.TALKING
    assert live_call.party_number == "13812345678"
    assert live_call.party_masked == "138****5678"
    assert (live_call.owner, live_call.house) == (zhang_san, house_a)
    assert (live_call.ring_at, live_call.answered_at, live_call.wait_seconds) == (NOW, NOW, 0)
    assert AuditEvent.objects.filter(object_type="call", object_id=live_call.pk).count() == 1


@pytest.mark.parametrize("number", ["", "abc", "12", "1" * 21, "１３８１２３４５６７８", "<b>"])
def test_a_bad_number_is_refused(agent, community_a, nothing_changes, number):
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls.call_start(actor=agent, community=community_a, number=number)
    assert error.value.field == "number"


def test_the_country_prefix_is_dropped(agent, community_a):
    call = calls.call_start(actor=agent, community=community_a, number="+86 138-1234-5678")
    assert call.party_number == "13812345678"


@pytest.mark.parametrize("role", ["technician", "cashier", "guard", "owner", "other_agent"])
def test_only_the_desk_of_the_community_takes_calls(personas, community_a, nothing_changes, role):
    with nothing_changes(), pytest.raises(PermissionDenied):
        calls.call_start(actor=personas[role], community=community_a, number="13812345678")


def test_ending_on_the_spot_records_the_talk_time(live_call, agent, clock):
    clock.shift(datetime.timedelta(seconds=95))
    call = calls.call_finish(actor=agent, call=live_call, outcome="on_the_spot", note="咨询停车")
    assert call.state == CallState.ANSWERED
    assert (call.talk_seconds, call.outcome, call.note) == (95, "on_the_spot", "咨询停车")


def test_a_call_ends_once(live_call, agent, nothing_changes):
    calls.call_finish(actor=agent, call=live_call, outcome="wrong_number")
    with nothing_changes(), pytest.raises(Conflict):
        calls.call_finish(actor=agent, call=live_call, outcome="on_the_spot")


def test_another_agent_cannot_end_my_call_but_a_supervisor_can(
    live_call, personas, community_a, nothing_changes
):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    colleague = make_user("colleague", Role.AGENT, community_a)
    with nothing_changes(), pytest.raises(PermissionDenied):
        calls.call_finish(actor=colleague, call=live_call, outcome="on_the_spot")
    call = calls.call_finish(actor=personas["supervisor"], call=live_call, outcome="on_the_spot")
    assert call.state == CallState.ANSWERED


@pytest.mark.parametrize("outcome", ["request_created", "message_taken", "unreachable", "x"])
def test_an_outcome_needs_what_it_names(live_call, agent, nothing_changes, outcome):
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls.call_finish(actor=agent, call=live_call, outcome=outcome)
    assert error.value.field in {"request", "outcome"}


def test_recording_a_request_ends_the_call_with_it(live_call, agent, house_a, zhang_san):
    call = calls.call_request_record(
        actor=agent,
        call=live_call,
        house=house_a,
        caller_owner=zhang_san,
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="卫生间漏水",
    )
    assert call.outcome == CallOutcome.REQUEST_CREATED
    assert call.request.house == house_a
    assert call.request.channel == "phone"
    assert call.request.caller_mobile == "13812345678"
    assert call.ended_at == NOW


def test_a_refused_request_leaves_the_call_open(live_call, agent, house_a, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls.call_request_record(
            actor=agent,
            call=live_call,
            house=house_a,
            kind="repair",
            category="repair_water",
            urgency="normal",
            description="",
        )
    assert error.value.field == "description"
    live_call.refresh_from_db()
    assert live_call.is_live


def test_a_message_becomes_an_inquiry_that_holds_the_promise(live_call, agent, house_a):
    call = calls.call_message_take(
        actor=agent, call=live_call, house=house_a, category="fees", message="请财务回电说明物业费"
    )
    request = call.request
    assert call.outcome == CallOutcome.MESSAGE_TAKEN
    assert request.kind.code == "inquiry"
    assert request.promised_at == NOW + datetime.timedelta(hours=24)


def test_a_repeat_call_is_added_to_the_open_request(live_call, agent, repair_request):
    call = calls.call_request_link(
        actor=agent, call=live_call, request=repair_request, note="业主催促维修"
    )
    assert (call.outcome, call.request) == (CallOutcome.REQUEST_LINKED, repair_request)
    assert repair_request.events.filter(action="call_linked").count() == 1


def test_another_communitys_request_is_refused(live_call, agent, admin, house_b, nothing_changes):
    from propdesk.tickets.services import request_create

    foreign = request_create(
        actor=admin,
        house=house_b,
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="漏水",
    )
    with nothing_changes(), pytest.raises((ValidationFailed, NotFound, PermissionDenied)):
        calls.call_finish(actor=admin, call=live_call, outcome="request_created", request=foreign)


def test_a_missed_call_waits_until_a_callback_reaches_the_caller(missed_call, agent):
    assert missed_call.awaits_callback
    first = calls.callback_start(actor=agent, call=missed_call)
    calls.call_finish(actor=agent, call=first, outcome="unreachable")
    missed_call.refresh_from_db()
    assert missed_call.awaits_callback
    assert missed_call.callback_attempts == 1
    second = calls.callback_start(actor=agent, call=missed_call)
    second = calls.call_finish(actor=agent, call=second, outcome="on_the_spot", note="已回电")
    missed_call.refresh_from_db()
    assert not missed_call.awaits_callback
    assert (missed_call.called_back_by, missed_call.callback_attempts) == (agent, 2)
    assert second.callback_of == missed_call
    assert second.direction == "outbound"


def test_a_called_back_call_cannot_be_called_back_again(missed_call, agent, nothing_changes):
    callback = calls.callback_start(actor=agent, call=missed_call)
    calls.call_finish(actor=agent, call=callback, outcome="on_the_spot")
    with nothing_changes(), pytest.raises(Conflict):
        calls.callback_start(actor=agent, call=missed_call)


def test_the_caller_getting_through_settles_the_queue(missed_call, agent, community_a):
    calls.call_start(actor=agent, community=community_a, number="13812345678")
    missed_call.refresh_from_db()
    assert missed_call.called_back_at == NOW
    assert not Call.objects.filter(pk=missed_call.pk, called_back_at__isnull=True).exists()


def test_a_note_and_a_recording_link_can_be_added(live_call, agent):
    call = calls.call_annotate(
        actor=agent, call=live_call, note="业主情绪激动", recording_url="https://rec.example/1.mp3"
    )
    assert (call.note, call.recording_url) == ("业主情绪激动", "https://rec.example/1.mp3")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x/y", "not a url", "x" * 501])
def test_a_bad_recording_link_is_refused(live_call, agent, nothing_changes, url):
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls.call_annotate(actor=agent, call=live_call, recording_url=url)
    assert error.value.field == "recording_url"


def test_a_recording_file_must_be_audio(live_call, agent, nothing_changes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("rec.mp3", b"<html>not audio</html>")
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls.call_annotate(actor=agent, call=live_call, recording_file=fake)
    assert error.value.field == "recording_file"
    real = SimpleUploadedFile("rec.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ")
    call = calls.call_annotate(actor=agent, call=live_call, recording_file=real)
    assert call.recording_file.name.endswith(".wav")


def test_requests_are_untouched_by_a_plain_call(live_call, agent):
    calls.call_finish(actor=agent, call=live_call, outcome="on_the_spot")
    assert ServiceRequest.objects.count() == 0
