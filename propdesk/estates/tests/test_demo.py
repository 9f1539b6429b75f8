"""The demo company loads once, with a login for every role, and with the content the per-row
services would write: the registry and the fees are written in bulk, so this pins what they hold
(counts, one history row per record, payments that add up, numbering, search keys), and every
request carries what the request services write (timeline, search tokens, time-limit clocks,
routing), every payment its receipt and ledger lines."""

import datetime
import zoneinfo
from collections import Counter, defaultdict

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.db.models import Count, Sum

from propdesk.accounts.models import User
from propdesk.billing.models import Bill, HouseAccount, LedgerEntry, Payment, Receipt
from propdesk.core.models import AuditEvent
from propdesk.estates.demo import DEMO_PASSWORD, load_demo
from propdesk.estates.models import (
    Building,
    Community,
    House,
    HouseStatus,
    HouseStatusChange,
    Owner,
    Ownership,
    ParkingSpace,
    Resident,
    Unit,
    Vehicle,
)
from propdesk.estates.search import registry_search
from propdesk.tickets import search as request_search
from propdesk.tickets.models import (
    RequestDepartment,
    RequestEvent,
    RequestToken,
    ServiceRequest,
    SlaClock,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 12, 6, 15, 30, tzinfo=SHANGHAI)
# Fields that name a moment still to come (a deadline, a window, a schedule): every other
# moment the demo writes has happened by the demo's present.
FORWARD = {
    "due_at", "due_soon_at", "due_by", "promised_at", "next_check_at", "next_attempt_at",
    "preferred_visit_at", "visit_from", "visit_until", "valid_from", "valid_until", "expires_at",
    "deadline_at", "publish_at", "send_at", "starts_at", "ends_at", "signup_opens_at",
    "signup_closes_at", "callback_at", "expected_restore_at",
}  # fmt: skip


def test_the_demo_company_loads_once_with_its_content(db):
    with time_machine.travel(NOW, tick=False):
        logins = load_demo(houses_per_community=24, request_days=10)
    # One load serves every check: the demo takes a while to build.
    _logins(logins)
    _registry()
    _fees()
    _requests()


@pytest.mark.parametrize(
    "now",
    [
        # Before office hours on the first of a month: the month's bills and the day's
        # payments are still to come.
        datetime.datetime(2026, 12, 1, 7, 40, tzinfo=SHANGHAI),
        # Just after midnight: "this morning" and "today" have hardly begun.
        datetime.datetime(2026, 12, 16, 0, 20, tzinfo=SHANGHAI),
    ],
)
def test_everything_the_demo_records_has_happened_by_its_present(db, now):
    made_before = {model: set(model.objects.values_list("pk", flat=True)) for model in _dated()}
    with time_machine.travel(now, tick=False):
        load_demo(houses_per_community=24, request_days=5)
    future = Counter()
    for model, fields in _dated().items():
        rows = model.objects.exclude(pk__in=made_before[model])
        for name in fields:
            if later := rows.filter(**{f"{name}__gt": now}).count():
                future[model._meta.label, name] = later
    assert future == {}
    assert Payment.objects.exists() and Bill.objects.exists()


def _dated() -> dict:
    """Every model of the project with the moments it records as having happened."""
    dated = {}
    for model in apps.get_models():
        if not model.__module__.startswith("propdesk."):
            continue
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateTimeField) and field.name not in FORWARD
        ]
        if fields:
            dated[model] = fields
    return dated


def _logins(demo):
    assert set(demo) == {"admin", "supervisor", "agent", "engineer", "cashier", "guard", "owner"}
    assert set(demo.values()) == {DEMO_PASSWORD}
    assert list(Community.objects.values_list("code", flat=True)) == ["HY", "JH"]
    for username in demo:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff and root.check_password(DEMO_PASSWORD)
    assert not AuditEvent.objects.filter(actor=root).exists()  # signed by the demo's staff
    assert not Payment.objects.filter(received_by=root).exists()
    events_before = AuditEvent.objects.count()
    assert events_before == 915  # the history of everything the demo made
    with time_machine.travel(NOW, tick=False):
        load_demo(houses_per_community=24, request_days=10)  # a second run changes nothing
    assert House.objects.count() == 48 and AuditEvent.objects.count() == events_before


def _registry():
    assert House.objects.count() == 48
    assert Building.objects.count() == 2 and Unit.objects.count() == 2
    counts = {
        model.__name__: model.objects.count()
        for model in (Owner, Ownership, Resident, Vehicle, ParkingSpace)
    }
    assert counts == {"Owner": 48, "Ownership": 48, "Resident": 16, "Vehicle": 18,
                      "ParkingSpace": 3}  # fmt: skip
    sold = House.objects.exclude(status=HouseStatus.UNSOLD)
    # Every sold house has exactly one primary owner; co-owners are not primary.
    primaries = Ownership.objects.filter(is_primary=True).values("house").annotate(n=Count("id"))
    assert sorted(p["house"] for p in primaries) == sorted(sold.values_list("id", flat=True))
    assert {p["n"] for p in primaries} == {1}
    # One status history row per house, dated on delivery.
    assert HouseStatusChange.objects.count() == 48
    assert set(HouseStatusChange.objects.values_list("from_status", flat=True)) == {""}
    # One history row per record made, signed by the demo's administrator, naming the house.
    admin = User.objects.get(username="admin")
    events = Counter(AuditEvent.objects.filter(actor=admin).values_list("object_type", "action"))
    assert events[("house", "create")] == 48
    assert events[("building", "create")] == 2
    assert events[("owner", "create")] == counts["Owner"]
    assert events[("ownership", "owner_added")] == counts["Ownership"]
    assert events[("resident", "resident_added")] == counts["Resident"]
    assert events[("vehicle", "vehicle_added")] == counts["Vehicle"]
    assert events[("parkingspace", "create")] == counts["ParkingSpace"]
    assert events[("parkingspace", "parking_assigned")] == counts["ParkingSpace"]
    house_events = AuditEvent.objects.filter(object_type="house", action="create")
    assert set(house_events.values_list("object_id", flat=True)) == set(
        House.objects.values_list("id", flat=True)
    )
    assert all(event.house_id == event.object_id for event in house_events)
    # Search keys: owners found by name and by pinyin initials, as the front desk types them.
    agent = User.objects.get(username="agent")
    owner = Owner.objects.order_by("id").first()
    assert owner.name_pinyin and owner.name_initials and owner.mobile_tail == owner.mobile[-4:]
    assert any(hit.owner_id == owner.id for hit in registry_search(agent, owner.name))
    assert any(hit.house_id for hit in registry_search(agent, owner.name_initials))


def _fees():
    assert Bill.objects.count() == 647  # a year of monthly bills, deposits, parking
    assert Payment.objects.count() == Receipt.objects.count() == 171
    payments = Payment.objects.filter(top_up__isnull=True)
    for payment in payments:
        entries = LedgerEntry.objects.filter(payment=payment)
        paid = entries.get(kind=LedgerEntry.Kind.PAYMENT)
        assert paid.amount_fen == -payment.amount_fen
        assert paid.created_at == payment.received_at
        allocations = entries.filter(kind=LedgerEntry.Kind.ALLOCATION)
        assert (allocations.aggregate(t=Sum("amount_fen"))["t"] or 0) == 0  # pairs
        assert payment.receipt.issued_at == payment.received_at
    recorded = AuditEvent.objects.filter(object_type="payment", action="payment")
    assert set(recorded.values_list("object_id", flat=True)) >= set(
        payments.values_list("id", flat=True)
    )
    # Every payment (bills, deposits, top-ups) has its receipt, dated when the money came, and
    # its ledger line for the money received.
    for payment in Payment.objects.select_related("receipt"):
        assert payment.receipt.issued_at == payment.received_at
        assert payment.receipt.community_id == payment.community_id
        assert LedgerEntry.objects.filter(payment=payment).exists()
    # Every house that paid has its account; receipts are gap-free per community and year.
    assert set(HouseAccount.objects.values_list("house_id", flat=True)) >= set(
        Payment.objects.values_list("house_id", flat=True)
    )
    for community_id, year in Receipt.objects.values_list("community_id", "year").distinct():
        numbers = sorted(
            Receipt.objects.filter(community_id=community_id, year=year).values_list(
                "number", flat=True
            )
        )
        assert numbers == list(range(1, len(numbers) + 1))


def _requests():
    requests = ServiceRequest.objects.all()
    assert requests.count() == 30  # with the suggestions heard on owner visits
    assert RequestToken.objects.filter(request__in=requests).exists()
    events = defaultdict(list)
    for event in RequestEvent.objects.order_by("at", "id"):
        events[event.request_id].append(event)
    tokens = set(RequestToken.objects.values_list("request_id", flat=True))
    clocks = set(SlaClock.objects.values_list("request_id", flat=True))
    leads = Counter(
        RequestDepartment.objects.filter(is_lead=True).values_list("request", flat=True)
    )
    for request in requests:
        timeline = events[request.id]
        # The timeline starts with the intake at the request's own time and runs forward.
        assert timeline[0].action == "created" and timeline[0].at == request.created_at
        assert all(e.community_id == request.community_id for e in timeline)
        assert timeline[-1].at >= request.created_at
        assert request.id in tokens  # found by the words of its description
        assert request.id in clocks  # timed against its limits from intake
        assert request.number and request.sla_policy_id
        # Routed: one lead department, the request's own.
        if request.department_id:
            assert leads[request.id] == 1
        steps = [e.action for e in timeline]
        for moment, action in (
            (request.accepted_at, "accepted"),
            (request.dispatched_at, "dispatched"),
            (request.resolved_at, "resolved"),
        ):
            if moment:
                assert action in steps and moment >= request.created_at
        if request.status in ("dispatched", "in_progress"):  # to a department, maybe a person
            assert request.department_id
    words = request_search.query_words(requests.order_by("id").first().description)
    assert request_search.matching_tokens(words[:1], None).exists()
