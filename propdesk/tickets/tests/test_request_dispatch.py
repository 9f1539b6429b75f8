"""Routing and dispatch (DOMAIN.md §2): category → department, community overrides, a lead
department, the dispatcher's choice or round-robin within the department."""

import pytest

from propdesk.accounts.models import Role
from propdesk.conftest import make_user
from propdesk.core.errors import ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.tickets import services
from propdesk.tickets.models import Category, RequestDepartment, RoutingRule
from propdesk.tickets.tests.conftest import snapshot


@pytest.mark.parametrize(
    ("category", "department"),
    [
        ("repair_water", "engineering"),
        ("repair_elevator", "engineering"),
        ("noise", "customer_service"),
        ("security", "security"),
        ("environment", "cleaning"),
        ("greening", "greening"),
        ("parking", "security"),
        ("fees", "finance"),
        ("service", "customer_service"),
        ("other_nonproperty", "customer_service"),
    ],
)
def test_each_category_goes_to_its_default_department(desk, make_request, category, department):
    request = make_request(category=category, kind="complaint")
    assert request.department.code == department
    assert list(
        RequestDepartment.objects.filter(request=request).values_list("department__code", "is_lead")
    ) == [(department, True)]


def test_a_community_rule_overrides_and_names_a_lead_with_helpers(desk, make_request):
    noise = Category.objects.get(code="noise")
    RoutingRule.objects.create(
        community=desk.community_a, category=noise, department=desk.departments["security"]
    )
    RoutingRule.objects.create(
        community=desk.community_a,
        category=noise,
        department=desk.departments["customer_service"],
        is_lead=False,
    )
    request = make_request(category="noise", kind="complaint")
    other = services.request_create(
        actor=desk.other_agent,
        house=desk.house_b,
        kind="complaint",
        category="noise",
        urgency="normal",
        description="广场舞音响声音太大",
    )

    assert request.department.code == "security"
    assert list(
        RequestDepartment.objects.filter(request=request)
        .order_by("-is_lead", "id")
        .values_list("department__code", "is_lead")
    ) == [("security", True), ("customer_service", False)]
    assert other.department.code == "customer_service"  # community B keeps the default


def test_round_robin_takes_turns_within_the_department(desk, make_request):
    chosen = []
    for _n in range(3):
        request = services.request_dispatch(
            actor=desk.agent, request=make_request(), round_robin=True
        )
        chosen.append(request.assignee.username)
    assert chosen == ["technician", "tech2", "technician"]


def test_round_robin_skips_people_who_left_or_work_elsewhere(desk, make_request):
    desk.tech2.is_active = False
    desk.tech2.save(update_fields=["is_active"])
    elsewhere = make_user("tech_b", Role.TECHNICIAN, desk.community_b)
    elsewhere.department = desk.departments["engineering"]
    elsewhere.save(update_fields=["department"])

    chosen = [
        services.request_dispatch(
            actor=desk.agent, request=make_request(), round_robin=True
        ).assignee.username
        for _n in range(2)
    ]
    assert chosen == ["technician", "technician"]


def test_round_robin_with_nobody_leaves_it_to_the_department_queue(desk, make_request):
    request = make_request(category="greening", kind="complaint")
    request = services.request_dispatch(actor=desk.agent, request=request, round_robin=True)
    assert (request.status, request.department.code, request.assignee) == (
        "dispatched",
        "greening",
        None,
    )


def test_dispatch_tells_the_owner_and_the_assignee(desk, make_request):
    request = make_request()
    OutboxMessage.objects.all().delete()

    services.request_dispatch(actor=desk.agent, request=request, assignee=desk.technician)

    messages = {(m.channel, m.recipient, m.event) for m in OutboxMessage.objects.all()}
    assert messages == {
        ("sms", "13812345678", "request.dispatched"),
        ("in_app", "owner", "request.dispatched"),
        ("in_app", "technician", "request.assigned"),
    }
    assigned = OutboxMessage.objects.get(event="request.assigned")
    assert request.number in assigned.body and "3-2-1502" in assigned.body


def test_dispatch_records_the_first_response_when_not_accepted_before(desk, make_request):
    request = make_request()
    request = services.request_dispatch(actor=desk.agent, request=request, note="派工程部")
    request.refresh_from_db()
    assert request.accepted_at == request.dispatched_at
    assert request.clocks.get(target="first_response").state == "met"


def test_the_dispatcher_may_choose_another_department(desk, make_request):
    request = make_request()
    request = services.request_dispatch(
        actor=desk.agent, request=request, department=desk.departments["security"]
    )
    assert request.department.code == "security"
    assert list(
        RequestDepartment.objects.filter(request=request)
        .order_by("-is_lead", "id")
        .values_list("department__code", "is_lead")
    ) == [("security", True), ("engineering", False)]


@pytest.mark.parametrize("who", ["cashier", "other_agent", "tech_of_security"])
def test_it_refuses_an_assignee_who_cannot_take_the_work(desk, make_request, who):
    if who == "tech_of_security":
        person = make_user("tech_sec", Role.TECHNICIAN, desk.community_a)
        person.department = desk.departments["security"]
        person.save(update_fields=["department"])
    else:
        person = getattr(desk, who)
    request = make_request()
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.request_dispatch(actor=desk.agent, request=request, assignee=person)
    assert caught.value.field == "assignee"
    assert snapshot() == before


def test_reassigning_keeps_the_status_and_tells_the_new_assignee(desk, make_request):
    request = services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )
    OutboxMessage.objects.all().delete()
    request = services.request_reassign(actor=desk.supervisor, request=request, assignee=desk.tech2)
    assert (request.status, request.assignee) == ("dispatched", desk.tech2)
    assert list(OutboxMessage.objects.values_list("recipient", "event")) == [
        ("tech2", "request.assigned")
    ]


@pytest.mark.parametrize("step", ["request_dispatch", "request_reassign"])
def test_dispatch_and_reassign_name_a_missing_department_with_one_code(desk, make_request, step):
    """Both steps answer `department_required` (reassign answered the generic `invalid`)."""
    from propdesk.tickets import error_codes
    from propdesk.tickets.models import ServiceRequest

    request = services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )
    if step == "request_dispatch":
        request = make_request()
    ServiceRequest.objects.filter(pk=request.pk).update(department=None)
    request.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        getattr(services, step)(actor=desk.supervisor, request=request)
    assert (refused.value.code, refused.value.field) == (
        error_codes.DEPARTMENT_REQUIRED,
        "department",
    )
    assert snapshot() == before
