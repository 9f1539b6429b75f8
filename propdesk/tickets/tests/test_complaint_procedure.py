"""The complaint procedure (seeds 000 二(3), 002 二–四): verified before it is passed on, a
solution agreed with the owner before the work, the simple-complaint time limit, and the
follow-up by an SMS link the owner answers once on the portal."""

import re

import pytest
from django.core import signing

from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.tickets import services
from propdesk.tickets.models import (
    FollowUp,
    FollowUpLink,
    RequestSolution,
    SlaClock,
    SlaPolicy,
)
from propdesk.tickets.services.follow_up_link import SALT
from propdesk.tickets.tests.conftest import at, snapshot

BASE = "http://testserver"


@pytest.fixture
def complaint(desk, make_request):
    return make_request(
        kind="complaint", category="noise", description="楼上每晚十一点后还在装修，电钻声很大"
    )


def _resolution(request):
    return SlaClock.objects.filter(request=request, target="resolution").order_by("-round").first()


# --- verification (初步核实) ---------------------------------------------------------------------


def test_the_desk_verifies_a_complaint_before_passing_it_on(desk, complaint):
    verified = services.complaint_verify(
        actor=desk.agent, request=complaint, note="已致电楼上住户，确认有夜间施工"
    )
    assert verified.verified_at == at("2026-03-16T09:30")
    assert verified.status == "new" and not verified.simple_complaint
    event = verified.events.get(action="verified")
    assert (event.actor, event.note, event.data) == (
        desk.agent,
        "已致电楼上住户，确认有夜间施工",
        {"simple": False},
    )
    # the 3-working-day default still times it: Thursday 09:30
    assert _resolution(verified).due_at == at("2026-03-19T09:30")


def test_a_simple_complaint_is_timed_24_hours_from_receipt(desk, complaint, frozen):
    frozen.move_to(at("2026-03-16T11:00"))
    verified = services.complaint_verify(
        actor=desk.agent, request=complaint, note="保洁未清运，当天可处理", simple=True
    )
    assert verified.simple_complaint
    assert verified.sla_policy.simple
    clock = _resolution(verified)
    assert (clock.round, clock.state, clock.due_at) == (2, "running", at("2026-03-17T09:30"))
    assert verified.promised_at == at("2026-03-17T09:30")
    assert SlaClock.objects.get(request=complaint, target="resolution", round=1).state == (
        "cancelled"
    )
    assert verified.due_at <= at("2026-03-17T09:30")
    assert verified.events.get(action="verified").data["simple"] is True


def test_a_community_sets_its_own_simple_complaint_limit(desk, complaint):
    company = SlaPolicy.objects.get(community=None, kind__code="complaint", simple=True)
    SlaPolicy.objects.create(
        community=desk.community_a,
        kind=company.kind,
        urgency=company.urgency,
        simple=True,
        resolution_amount=8,
        resolution_unit="hours",
        escalation_percents=[100],
    )
    verified = services.complaint_verify(
        actor=desk.agent, request=complaint, note="简单", simple=True
    )
    assert _resolution(verified).due_at == at("2026-03-16T17:30")


def test_only_a_complaint_is_verified(desk, make_request):
    repair = make_request()
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.complaint_verify(actor=desk.agent, request=repair, note="看过")
    assert caught.value.field == "kind"
    assert snapshot() == before


def test_a_complaint_is_verified_once_and_before_it_is_passed_on(desk, complaint):
    services.complaint_verify(actor=desk.agent, request=complaint, note="第一次")
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.complaint_verify(actor=desk.agent, request=complaint, note="再来一次")
    assert caught.value.code == "already_verified"
    assert snapshot() == before

    other = services.request_dispatch(
        actor=desk.agent,
        request=services.request_create(
            actor=desk.agent,
            house=desk.house,
            kind="complaint",
            category="noise",
            urgency="normal",
            description="另一起噪音投诉",
            channel="phone",
        ),
        department=desk.departments["customer_service"],
    )
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.complaint_verify(actor=desk.agent, request=other, note="晚了")
    assert caught.value.field == "status"
    assert snapshot() == before


@pytest.mark.parametrize("role", ["technician", "cashier", "guard", "owner_user", "other_agent"])
def test_verification_is_the_desks(desk, complaint, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.complaint_verify(actor=getattr(desk, role), request=complaint, note="看过")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"note": ""}, "note"),
        ({"note": "   "}, "note"),
        ({"note": "x" * 1001}, "note"),
        ({"note": "含\x00字符"}, "note"),
        ({"note": "好", "simple": "yes"}, "simple"),
    ],
)
def test_bad_verification_is_refused_naming_the_field(desk, complaint, values, field):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.complaint_verify(actor=desk.agent, request=complaint, **values)
    assert caught.value.field == field
    assert snapshot() == before


def test_html_in_a_note_is_kept_as_text(desk, complaint):
    verified = services.complaint_verify(
        actor=desk.agent, request=complaint, note="<script>alert(1)</script>'; DROP TABLE x;--"
    )
    assert verified.events.get(action="verified").note.startswith("<script>")


# --- the solution agreed with the owner ---------------------------------------------------------


@pytest.fixture
def dispatched_complaint(desk, complaint):
    return services.request_dispatch(
        actor=desk.agent, request=complaint, assignee=desk.agent, note="客服跟进"
    )


def test_work_waits_for_the_owners_agreement_to_the_solution(desk, dispatched_complaint):
    OutboxMessage.objects.all().delete()
    solution = services.solution_propose(
        actor=desk.agent,
        request=dispatched_complaint,
        text="通知装修方晚上八点后停工，并由保安夜间巡查三天",
    )
    assert (solution.state, solution.proposed_by) == ("proposed", desk.agent)
    told = OutboxMessage.objects.get(channel="sms")
    assert "晚上八点后停工" in told.body

    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.request_start(actor=desk.agent, request=dispatched_complaint)
    assert (caught.value.field, caught.value.code) == ("solution", "solution_not_agreed")
    assert snapshot() == before

    declined = services.solution_decide(
        actor=desk.agent, solution=solution, agreed=False, via="phone", note="希望六点后停工"
    )
    assert (declined.state, declined.decided_via) == ("declined", "phone")
    with pytest.raises(Conflict):
        services.request_start(actor=desk.agent, request=dispatched_complaint)

    second = services.solution_propose(
        actor=desk.agent, request=dispatched_complaint, text="晚上六点后停工，巡查一周"
    )
    services.solution_decide(actor=desk.agent, solution=second, agreed=True, via="in_person")
    started = services.request_start(actor=desk.agent, request=dispatched_complaint)
    assert started.status == "in_progress"
    actions = list(started.events.values_list("action", flat=True))
    assert actions.count("solution_proposed") == 2 and actions.count("solution_decided") == 2


def test_the_owner_agrees_in_the_portal(desk, dispatched_complaint):
    solution = services.solution_propose(
        actor=desk.agent, request=dispatched_complaint, text="协调楼上住户"
    )
    agreed = services.solution_decide(
        actor=desk.owner_user, solution=solution, agreed=True, via="portal"
    )
    assert (agreed.state, agreed.decided_by) == ("agreed", desk.owner_user)


def test_one_solution_waits_at_a_time_and_is_answered_once(desk, dispatched_complaint):
    solution = services.solution_propose(actor=desk.agent, request=dispatched_complaint, text="甲")
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.solution_propose(actor=desk.agent, request=dispatched_complaint, text="乙")
    assert caught.value.code == "solution_pending"
    assert snapshot() == before

    services.solution_decide(actor=desk.agent, solution=solution, agreed=True)
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.solution_decide(actor=desk.agent, solution=solution, agreed=False)
    assert caught.value.code == "solution_decided"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "via"),
    [
        ("owner_user", "phone"),
        ("technician", "phone"),
        ("cashier", "phone"),
        ("other_agent", "phone"),
        ("guard", "portal"),
    ],
)
def test_who_may_record_the_owners_answer(desk, dispatched_complaint, role, via):
    solution = services.solution_propose(actor=desk.agent, request=dispatched_complaint, text="甲")
    before = snapshot()
    with pytest.raises((PermissionDenied, ValidationFailed)):
        services.solution_decide(actor=getattr(desk, role), solution=solution, agreed=True, via=via)
    assert snapshot() == before


def test_another_houses_owner_cannot_answer(desk, dispatched_complaint):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user
    from propdesk.estates import services as estates

    stranger = make_user("stranger", Role.OWNER, desk.community_b)
    owner = estates.owner_create(
        actor=desk.admin, community=desk.community_b, name="李四", mobile="13900001111"
    )
    owner.user = stranger
    owner.save(update_fields=["user"])
    solution = services.solution_propose(actor=desk.agent, request=dispatched_complaint, text="甲")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.solution_decide(actor=stranger, solution=solution, agreed=True, via="portal")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"text": "\x00"}, "text"),
    ],
)
def test_bad_solutions_are_refused(desk, dispatched_complaint, values, field):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.solution_propose(actor=desk.agent, request=dispatched_complaint, **values)
    assert caught.value.field == field
    assert snapshot() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [({"agreed": "yes"}, "agreed"), ({"agreed": True, "via": "fax"}, "via")],
)
def test_bad_answers_are_refused(desk, dispatched_complaint, values, field):
    solution = services.solution_propose(actor=desk.agent, request=dispatched_complaint, text="甲")
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.solution_decide(actor=desk.agent, solution=solution, **values)
    assert caught.value.field == field
    assert snapshot() == before


# --- the follow-up by SMS ----------------------------------------------------------------------


@pytest.fixture
def resolved_complaint(desk, dispatched_complaint):
    started = services.request_start(actor=desk.agent, request=dispatched_complaint)
    return services.request_resolve(
        actor=desk.agent, request=started, note="装修方已承诺晚八点后停工"
    )


def _token(message) -> str:
    return re.search(r"/m/f/([^/\s]+)/", message.body).group(1)


def test_the_follow_up_goes_by_sms_and_is_answered_once(desk, resolved_complaint, frozen):
    OutboxMessage.objects.all().delete()
    link = services.follow_up_link_send(
        actor=desk.agent, request=resolved_complaint, base_url=BASE + "/"
    )
    assert (link.mobile, link.expires_at) == ("13812345678", at("2026-03-19T09:30"))
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == "13812345678"
    assert resolved_complaint.number in sms.body and f"{BASE}/m/f/" in sms.body
    token = _token(sms)
    assert sms.body.startswith("【甲小区】您的工单") and "72小时内有效" in sms.body
    assert len(token) < 100 and token not in link.nonce_hash
    resolved_complaint.refresh_from_db()
    assert resolved_complaint.status == "follow_up"
    sent = resolved_complaint.events.get(action="follow_up_sent")
    assert "138****5678" in sent.note

    frozen.move_to(at("2026-03-17T20:00"))
    answered = services.follow_up_link_answer(token=token, satisfaction=4, comment="晚上安静了")
    assert (answered.status, answered.satisfaction) == ("closed", 4)
    follow_up = FollowUp.objects.get(request=resolved_complaint, state="done")
    assert (follow_up.via, follow_up.comment) == ("sms", "晚上安静了")
    event = answered.events.filter(action="follow_up").latest("id")
    assert (event.actor, event.data["via"]) == (desk.owner_user, "sms")
    assert FollowUpLink.objects.get().used_at == at("2026-03-17T20:00")

    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.follow_up_link_answer(token=token, satisfaction=1)
    assert caught.value.code == "link_used"
    assert snapshot() == before


def test_a_low_answer_by_sms_reopens(desk, resolved_complaint):
    services.follow_up_link_send(actor=desk.agent, request=resolved_complaint, base_url=BASE)
    token = _token(OutboxMessage.objects.filter(channel="sms").latest("id"))
    reopened = services.follow_up_link_answer(token=token, satisfaction=1, comment="还是很吵")
    assert (reopened.status, reopened.reopen_count) == ("dispatched", 1)


def test_an_expired_link_is_refused(desk, resolved_complaint, frozen):
    services.follow_up_link_send(actor=desk.agent, request=resolved_complaint, base_url=BASE)
    token = _token(OutboxMessage.objects.filter(channel="sms").latest("id"))
    frozen.move_to(at("2026-03-19T09:30"))
    before = snapshot()
    with pytest.raises(Exception) as caught:
        services.follow_up_link_answer(token=token, satisfaction=5)
    assert (caught.value.status, caught.value.code) == (410, "link_expired")
    assert snapshot() == before


def test_a_link_is_void_once_the_follow_up_is_recorded_by_phone(desk, resolved_complaint):
    services.follow_up_link_send(actor=desk.agent, request=resolved_complaint, base_url=BASE)
    token = _token(OutboxMessage.objects.filter(channel="sms").latest("id"))
    services.follow_up_record(actor=desk.agent, request=resolved_complaint, satisfaction=5)
    before = snapshot()
    with pytest.raises(Conflict):
        services.follow_up_link_answer(token=token, satisfaction=1)
    assert snapshot() == before


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, link: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token, link: signing.dumps([link.pk, "guessed-nonce"], salt=SALT),
        lambda token, link: signing.dumps([link.pk + 1, "x"], salt=SALT),
        lambda token, link: signing.dumps([link.pk, "x"], salt="another.salt"),
        lambda token, link: "' OR 1=1 --",
        lambda token, link: "x" * 400,
        lambda token, link: "",
    ],
)
def test_forged_or_altered_links_are_refused(desk, resolved_complaint, forge):
    link = services.follow_up_link_send(actor=desk.agent, request=resolved_complaint, base_url=BASE)
    token = _token(OutboxMessage.objects.filter(channel="sms").latest("id"))
    before = snapshot()
    with pytest.raises(NotFound):
        services.follow_up_link_answer(token=forge(token, link), satisfaction=5)
    assert snapshot() == before


@pytest.mark.parametrize("score", [0, 6, "5; DROP TABLE", None, True, 4.5])
def test_a_bad_score_by_link_is_refused_and_the_link_stays_usable(desk, resolved_complaint, score):
    services.follow_up_link_send(actor=desk.agent, request=resolved_complaint, base_url=BASE)
    token = _token(OutboxMessage.objects.filter(channel="sms").latest("id"))
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.follow_up_link_answer(token=token, satisfaction=score)
    assert caught.value.field == "satisfaction"
    assert snapshot() == before
    assert services.follow_up_link_answer(token=token, satisfaction=5).status == "closed"


@pytest.mark.parametrize("role", ["technician", "cashier", "guard", "owner_user", "other_agent"])
def test_sending_the_sms_follow_up_is_the_desks(desk, resolved_complaint, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.follow_up_link_send(
            actor=getattr(desk, role), request=resolved_complaint, base_url=BASE
        )
    assert snapshot() == before


def test_no_sms_follow_up_before_the_work_is_done(desk, dispatched_complaint):
    before = snapshot()
    with pytest.raises(Conflict):
        services.follow_up_link_send(actor=desk.agent, request=dispatched_complaint, base_url=BASE)
    assert snapshot() == before


def test_without_a_mobile_the_desk_is_told_to_call(desk, make_request):
    from propdesk.estates.models import Owner

    Owner.objects.update(mobile="")
    request = make_request(caller_mobile="")
    request = services.request_accept(actor=desk.agent, request=request)
    request = services.request_resolve(actor=desk.agent, request=request, note="已处理")
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.follow_up_link_send(actor=desk.agent, request=request, base_url=BASE)
    assert caught.value.field == "mobile"
    assert snapshot() == before


def test_repair_requests_get_the_sms_follow_up_too(desk, make_request):
    request = services.request_accept(actor=desk.agent, request=make_request())
    request = services.request_resolve(actor=desk.agent, request=request, note="已修好")
    link = services.follow_up_link_send(actor=desk.agent, request=request, base_url=BASE)
    assert link.follow_up.state == "pending"
    assert RequestSolution.objects.count() == 0
