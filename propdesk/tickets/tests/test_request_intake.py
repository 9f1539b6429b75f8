"""Recording a request (DOMAIN.md §2 intake): number, routing, deadlines, confirmation, refusals."""

import datetime

import pytest

from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import NumberSequence, OutboxMessage
from propdesk.core.tests.hostile_files import HOSTILE, HOSTILE_CODES, picture
from propdesk.tickets import services
from propdesk.tickets.models import (
    Category,
    EventAction,
    RequestPhoto,
    RequestToken,
    ServiceRequest,
    SlaClock,
    SlaPolicy,
)
from propdesk.tickets.services.notify import owner_notices_send
from propdesk.tickets.tests.conftest import at, new_request, photo, snapshot


def _clocks(request) -> dict:
    return {c.target: c.due_at for c in SlaClock.objects.filter(request=request)}


def test_it_records_a_call_with_number_department_and_deadlines(desk, make_request):
    request = make_request()

    request.refresh_from_db()
    assert request.number == "A2026000001"
    assert (request.status, request.is_open, request.channel) == ("new", True, "phone")
    assert request.department.code == "engineering"
    assert (request.house, request.building, request.caller_mobile) == (
        desk.house,
        desk.house.building,
        "13812345678",
    )
    # Repair, normal: first response within 2 working hours, resolved within 3 working days.
    assert _clocks(request) == {
        "first_response": at("2026-03-16T11:30"),
        "resolution": at("2026-03-19T09:30"),
    }
    assert request.due_at == at("2026-03-16T11:30")
    assert request.promised_at == at("2026-03-19T09:30")
    assert request.created_at == at("2026-03-16T09:30")
    event = request.events.get()
    assert (event.action, event.actor, event.to_status) == (EventAction.CREATED, desk.agent, "new")
    assert {"地漏", "反水", "天花板"} <= set(
        RequestToken.objects.filter(request_id=request.id).values_list("token", flat=True)
    )


def test_the_owner_is_told_the_number_and_the_promised_time(desk, make_request):
    request = make_request()
    owner_notices_send()  # the worker's pass, seconds after commit

    messages = list(OutboxMessage.objects.order_by("channel"))
    assert [(m.channel, m.recipient, m.event) for m in messages] == [
        ("in_app", "owner", "request.created"),
        ("sms", "13812345678", "request.created"),
    ]
    for message in messages:
        # The wording is translated; the number and the promised time are in it in any language.
        assert "A2026000001" in message.body
        assert "2026-03-19 09:30" in message.body
        assert message.community_id == desk.community_a.id
        assert message.dedupe_key.startswith(f"request:{request.id}:event:")


def test_numbers_are_gap_free_per_community_and_year(desk, make_request):
    first = make_request()
    second = make_request(description="厨房水龙头一直滴水")
    with pytest.raises(ValidationFailed):
        make_request(category="nonsense")
    third = make_request(description="阳台下水管堵塞")
    other = new_request(desk.other_agent, desk.house_b, caller_mobile="")

    assert [first.number, second.number, third.number] == [
        "A2026000001",
        "A2026000002",
        "A2026000003",
    ]
    assert other.number == "B2026000001"
    assert dict(NumberSequence.objects.values_list("scope", "last_value")) == {
        f"request:{desk.community_a.id}:2026": 3,
        f"request:{desk.community_b.id}:2026": 1,
    }


def test_an_emergency_must_be_on_site_within_30_minutes(desk, make_request):
    request = make_request(urgency="emergency", description="楼道水管爆裂，水流进电梯井")

    assert _clocks(request) == {
        "first_response": at("2026-03-16T09:40"),
        "on_site": at("2026-03-16T10:00"),
        "resolution": at("2026-03-17T09:30"),
    }
    assert request.due_at == at("2026-03-16T09:40")


def test_a_complaint_on_the_eve_of_national_day_is_due_on_the_make_up_saturday(
    desk, frozen, make_request
):
    frozen.move_to(at("2026-09-30T15:00"))
    request = make_request(kind="complaint", category="noise", description="楼上装修电钻声太吵")

    # First handling within 24 h (calendar); resolved within 3 working days: Sep 30 2.5 h,
    # Oct 8 and Oct 9 in full, 6.5 h of the make-up Saturday Oct 10.
    assert _clocks(request) == {
        "first_response": at("2026-10-01T15:00"),
        "resolution": at("2026-10-10T15:00"),
    }
    assert request.number == "A2026000001"
    assert request.department.code == "customer_service"


def test_a_cleaning_complaint_has_its_own_48_hour_limit(desk, make_request):
    request = make_request(kind="complaint", category="environment", description="垃圾桶三天没清")

    assert _clocks(request)["resolution"] == at("2026-03-18T09:30")
    assert request.sla_policy.category.code == "environment"


def test_a_community_policy_overrides_the_company_default(desk, make_request):
    default = SlaPolicy.objects.get(
        community=None, kind__code="repair", urgency__code="normal", category=None
    )
    SlaPolicy.objects.create(
        community=desk.community_a,
        kind=default.kind,
        urgency=default.urgency,
        resolution_amount=1,
        resolution_unit="working_days",
        first_response_amount=30,
        first_response_unit="minutes",
    )
    request = make_request()

    assert _clocks(request) == {
        "first_response": at("2026-03-16T10:00"),
        "resolution": at("2026-03-17T09:30"),
    }


def test_a_common_area_request_names_the_building_only(desk):
    request = services.request_create(
        actor=desk.guard,
        building=desk.house.building,
        location="3栋大堂",
        kind="repair",
        category="repair_electric",
        urgency="normal",
        description="大堂顶灯不亮",
        channel="patrol",
    )

    assert (request.house, request.building, request.channel) == (
        None,
        desk.house.building,
        "patrol",
    )
    assert request.caller_mobile == ""
    assert OutboxMessage.objects.count() == 0  # nobody to tell


def test_it_stores_photos_checked_by_their_content(desk, make_request):
    request = make_request(photos=[photo("a.png"), photo("b.jpg", picture("JPEG"))])

    photos = list(RequestPhoto.objects.filter(request=request).order_by("id"))
    assert [(p.original_name, p.content_type) for p in photos] == [
        ("a.png", "image/png"),
        ("b.jpg", "image/jpeg"),
    ]
    assert photos[0].event.action == "created"
    assert photos[0].file.name.startswith(f"requests/{desk.community_a.id}/{request.id}/")


def test_the_owner_files_a_request_in_the_portal(desk):
    request = new_request(desk.owner_user, desk.house, channel="portal")

    assert (request.channel, request.created_by) == ("portal", desk.owner_user)


def test_the_caller_owner_fills_in_name_and_mobile(desk):
    request = new_request(
        desk.agent, desk.house, caller_owner=desk.owner, caller_name="", caller_mobile=""
    )

    assert (request.caller_name, request.caller_mobile) == ("张三", "13812345678")


BAD_INPUT = [
    ({"house": None}, "house", ValidationFailed),
    ({"category": "nonsense"}, "category", ValidationFailed),
    ({"kind": "gossip"}, "kind", ValidationFailed),
    ({"urgency": "whenever"}, "urgency", ValidationFailed),
    ({"description": "   "}, "description", ValidationFailed),
    ({"description": "长" * 2001}, "description", ValidationFailed),
    ({"caller_mobile": "12345"}, "caller_mobile", ValidationFailed),
    ({"channel": "fax"}, "channel", ValidationFailed),
    ({"photos": [photo("x.png", b"%PDF-1.4 not an image")]}, "photos", ValidationFailed),
    ({"photos": [photo("x.png", b"")]}, "photos", ValidationFailed),
    (
        {"preferred_visit_at": datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)},
        "preferred_visit_at",
        ValidationFailed,
    ),
]


@pytest.mark.parametrize(("values", "field", "error"), BAD_INPUT)
def test_it_refuses_bad_input_and_writes_nothing(desk, values, field, error):
    before = snapshot()
    fields = {"house": desk.house, **values}
    house = fields.pop("house")
    with pytest.raises(error) as caught:
        new_request(desk.agent, house, **fields)
    assert caught.value.field == field
    assert snapshot() == before


def test_it_refuses_an_oversized_photo(desk, settings):
    settings.REQUEST_PHOTO_MAX_BYTES = 100
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        new_request(
            desk.agent, desk.house, photos=[photo("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200)]
        )
    assert (caught.value.field, caught.value.code) == ("photos", "file_too_large")
    assert snapshot() == before


def test_it_refuses_an_unused_category(desk):
    Category.objects.filter(code="greening").update(is_active=False)
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        new_request(desk.agent, desk.house, category="greening")
    assert caught.value.field == "category"
    assert snapshot() == before


def test_it_refuses_a_house_of_another_community(desk):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        new_request(desk.agent, desk.house_b)
    assert snapshot() == before


def test_it_refuses_a_caller_owner_of_another_community(desk):
    from propdesk.estates.services import owner_create

    stranger = owner_create(actor=desk.admin, community=desk.community_b, name="王五")
    before = snapshot()
    with pytest.raises(NotFound) as caught:
        new_request(desk.agent, desk.house, caller_owner=stranger)
    assert caught.value.field == "caller_owner"
    assert snapshot() == before


@pytest.mark.parametrize("channel", ["phone", "portal"])
def test_an_owner_cannot_file_for_a_house_not_theirs_or_outside_the_portal(desk, channel):
    from propdesk.estates.services import house_create

    other_house = house_create(
        actor=desk.admin,
        building=desk.house.building,
        unit_number="2",
        number="1501",
        floor=15,
        area_m2="88",
    )
    before = snapshot()
    with pytest.raises(PermissionDenied):
        new_request(
            desk.owner_user, other_house if channel == "portal" else desk.house, channel=channel
        )
    assert snapshot() == before


def test_a_second_call_is_linked_to_the_open_request_instead(desk, make_request):
    request = make_request()
    OutboxMessage.objects.all().delete()

    event = services.request_link_call(actor=desk.agent, request=request, note="业主再次来电催促")

    assert (event.action, event.note, event.request_id) == (
        "call_linked",
        "业主再次来电催促",
        request.id,
    )
    assert ServiceRequest.objects.count() == 1
    assert OutboxMessage.objects.count() == 2


def test_a_call_cannot_be_linked_to_a_closed_request(desk, make_request):
    from propdesk.core.errors import Conflict

    request = make_request()
    services.request_cancel(actor=desk.agent, request=request, reason="重复登记")
    before = snapshot()
    with pytest.raises(Conflict):
        services.request_link_call(actor=desk.agent, request=request, note="又来电")
    assert snapshot() == before


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_it_decodes_photos_and_refuses_hostile_files(desk, kind):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        new_request(desk.agent, desk.house, photos=[photo("x.png", HOSTILE[kind]())])
    assert (caught.value.field, caught.value.code) == ("photos", HOSTILE_CODES[kind])
    assert snapshot() == before
