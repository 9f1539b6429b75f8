"""Work on a request besides its status (DOMAIN.md §2): notes, photos, and costs that fall on
the owner — told and confirmed before the work, itemised after."""

from decimal import Decimal

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.tickets import services
from propdesk.tickets.models import OwnerCost, RequestPhoto, WorkNote
from propdesk.tickets.tests.conftest import photo, snapshot


@pytest.fixture
def dispatched(desk, make_request):
    request = services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )
    OutboxMessage.objects.all().delete()
    return request


def test_a_technician_adds_a_note_with_photos(desk, dispatched):
    note = services.note_add(
        actor=desk.technician, request=dispatched, text="地漏芯老化，需更换", photos=[photo()]
    )
    assert (note.author, note.text) == (desk.technician, "地漏芯老化，需更换")
    event = dispatched.events.get(action="note")
    assert (event.note, event.actor) == ("地漏芯老化，需更换", desk.technician)
    assert list(RequestPhoto.objects.values_list("event_id", "content_type")) == [
        (event.id, "image/png")
    ]


def test_photos_alone_go_into_the_timeline(desk, dispatched):
    event = services.photo_add(actor=desk.technician, request=dispatched, photos=[photo(), photo()])
    assert (event.action, event.data) == ("photo", {"count": 2})


@pytest.mark.parametrize("role", ["tech2", "cashier", "guard", "owner_user", "other_agent"])
def test_notes_are_refused_to_those_not_on_the_job(desk, dispatched, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.note_add(actor=getattr(desk, role), request=dispatched, text="看看")
    assert snapshot() == before


def test_a_closed_request_takes_no_more_notes(desk, make_request):
    request = services.request_cancel(actor=desk.agent, request=make_request(), reason="重复")
    before = snapshot()
    with pytest.raises(Conflict):
        services.note_add(actor=desk.agent, request=request, text="补充")
    assert snapshot() == before


def test_a_cost_is_told_to_the_owner_and_blocks_work_until_confirmed(desk, dispatched):
    cost = services.cost_propose(
        actor=desk.technician, request=dispatched, item="更换地漏芯", amount="35.00"
    )
    assert (cost.amount, cost.payer, cost.state) == (Decimal("35.00"), "owner", "proposed")
    told = OutboxMessage.objects.get(channel="sms")
    assert "35.00" in told.body and "更换地漏芯" in told.body

    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.request_start(actor=desk.technician, request=dispatched)
    assert caught.value.field == "costs"
    assert snapshot() == before

    services.cost_decide(actor=desk.agent, cost=cost, confirmed=True, via="phone")
    started = services.request_start(actor=desk.technician, request=dispatched)
    assert started.status == "in_progress"


def test_the_owner_confirms_a_cost_in_the_portal(desk, dispatched):
    cost = services.cost_propose(
        actor=desk.technician, request=dispatched, item="更换角阀", amount=48, payer="owner"
    )
    decided = services.cost_decide(actor=desk.owner_user, cost=cost, confirmed=True, via="portal")
    assert (decided.state, decided.decided_by, decided.decided_via) == (
        "confirmed",
        desk.owner_user,
        "portal",
    )


def test_declining_a_cost_lets_the_work_go_on_without_it(desk, dispatched):
    cost = services.cost_propose(
        actor=desk.technician, request=dispatched, item="更换面板", amount="120"
    )
    services.cost_decide(actor=desk.agent, cost=cost, confirmed=False, note="业主自购")
    assert OwnerCost.objects.get().state == "declined"
    assert services.request_start(actor=desk.technician, request=dispatched).status == "in_progress"


def test_confirmed_costs_are_itemised_when_resolved(desk, dispatched):
    cost = services.cost_propose(
        actor=desk.technician, request=dispatched, item="更换地漏芯", amount="35"
    )
    services.cost_decide(actor=desk.agent, cost=cost, confirmed=True)
    request = services.request_start(actor=desk.technician, request=dispatched)
    OutboxMessage.objects.all().delete()
    services.request_resolve(actor=desk.technician, request=request, note="已更换")
    body = OutboxMessage.objects.get(channel="sms").body
    assert "更换地漏芯 35.00 元" in body


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"item": ""}, "item"),
        ({"payer": "neighbour"}, "payer"),
    ],
)
def test_it_refuses_a_bad_cost(desk, dispatched, values, field):
    fields = {"item": "更换", "amount": "10", "payer": "owner", **values}
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.cost_propose(actor=desk.technician, request=dispatched, **fields)
    assert caught.value.field == field
    assert snapshot() == before


def test_a_cost_is_answered_once(desk, dispatched):
    cost = services.cost_propose(actor=desk.technician, request=dispatched, item="x", amount=1)
    services.cost_decide(actor=desk.agent, cost=cost, confirmed=True)
    before = snapshot()
    with pytest.raises(Conflict):
        services.cost_decide(actor=desk.agent, cost=cost, confirmed=False)
    assert snapshot() == before


def test_a_technician_cannot_answer_for_the_owner(desk, dispatched):
    cost = services.cost_propose(actor=desk.technician, request=dispatched, item="x", amount=1)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.cost_decide(actor=desk.technician, cost=cost, confirmed=True)
    assert snapshot() == before
    assert WorkNote.objects.count() == 0
