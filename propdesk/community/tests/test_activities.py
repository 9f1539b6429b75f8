"""Community activities: planning with a draft notice, sign-up by owners (capacity, waiting list,
cancelling before the deadline moves the list up), check-in, photos, feedback becoming a
suggestion; the console and portal pages per role; refusals write nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from propdesk.community.models import Activity, ActivitySignup
from propdesk.community.services import activities as service
from propdesk.community.tests.conftest import add_house, add_owner, at, community_snapshot
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def festival(agent, building_3):
    """A Mid-Autumn party for building 3 with 5 places, sign-up until the 14th."""
    return service.activity_create(
        actor=agent,
        community=building_3.community,
        kind="festival",
        title="中秋游园会",
        place="中心广场",
        starts_at=at("2026-07-15 18:00"),
        ends_at=at("2026-07-15 21:00"),
        capacity=5,
        max_party=3,
        signup_closes_at=at("2026-07-14 18:00"),
        building_ids=[building_3.id],
    )


@pytest.fixture
def owners(admin, building_3, owner_a, neighbours):
    """张三 (2-1502), 王五 (1-102) and 孙八 (1-103, account sunba) of building 3; 钱七's house
    in building 4 (no account)."""
    h103 = add_house(admin, building_3, "1", "103")
    sun_ba = add_owner(admin, h103, "孙八", "13700000009", username="sunba")
    return {
        "wang": neighbours["wang_wu"],
        "sun": sun_ba,
        "h102": neighbours["h102"],
        "h103": h103,
        "h401": neighbours["h401"],
    }


@pytest.fixture
def zhang_house(house_a):
    return house_a


def test_planning_writes_a_draft_notice_for_the_audience(festival):
    notice = festival.announcement
    assert notice.status == "draft"
    assert list(notice.buildings.values_list("number", flat=True)) == ["3"]
    assert "中心广场" in notice.body and "5" in notice.body


def test_the_first_to_fit_are_confirmed_and_the_rest_wait(festival, owner_a, owners, zhang_house):
    first = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=3)
    second = service.signup_create(
        actor=owners["wang"], activity=festival, house=owners["h102"], people=3
    )
    third = service.signup_create(
        actor=owners["sun"], activity=festival, house=owners["h103"], people=1
    )
    festival.refresh_from_db()
    assert [first.status, second.status, third.status] == ["confirmed", "waitlisted", "waitlisted"]
    assert festival.confirmed_people == 3


def test_cancelling_moves_the_waiting_list_up_and_tells_them(
    festival, owner_a, owners, zhang_house
):
    first = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=3)
    waiting = service.signup_create(
        actor=owners["wang"], activity=festival, house=owners["h102"], people=3
    )
    service.signup_cancel(actor=owner_a, signup=first)
    waiting.refresh_from_db()
    festival.refresh_from_db()
    assert (waiting.status, festival.confirmed_people) == ("confirmed", 3)
    told = OutboxMessage.objects.get(event="activity.confirmed")
    assert (told.recipient, told.channel) == ("wangwu", "in_app")


def test_an_owner_cannot_cancel_after_the_deadline_but_staff_can(
    festival, owner_a, zhang_house, agent, clock, nothing_changes
):
    signup = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=2)
    clock.move_to(at("2026-07-14 18:00"))
    with nothing_changes(), pytest.raises(Conflict) as refused:
        service.signup_cancel(actor=owner_a, signup=signup)
    assert (refused.value.code, refused.value.field) == ("signup_closed", "signup")
    service.signup_cancel(actor=agent, signup=signup)
    assert ActivitySignup.objects.get().status == "cancelled"


def test_sign_up_refusals_write_nothing(
    festival, owner_a, owners, zhang_house, house_b, clock, nothing_changes
):
    service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=1)
    cases = [
        (dict(actor=owner_a, house=zhang_house, people=1), Conflict, "already_signed_up"),
        (
            dict(actor=owners["wang"], house=owners["h102"], people=4),
            ValidationFailed,
            "bad_number",
        ),
        (
            dict(actor=owners["wang"], house=owners["h102"], people=0),
            ValidationFailed,
            "bad_number",
        ),
        (
            dict(actor=owners["wang"], house=owners["h102"], people="2; --"),
            ValidationFailed,
            "bad_number",
        ),
        (dict(actor=owners["wang"], house=zhang_house, people=1), NotFound, "not_found"),
        (dict(actor=owner_a, house=house_b, people=1), NotFound, "not_found"),
    ]
    for kwargs, error, code in cases:
        with nothing_changes(), pytest.raises(error) as refused:
            service.signup_create(activity=festival, **kwargs)
        assert refused.value.code == code, kwargs
    clock.move_to(at("2026-07-14 18:01"))
    with nothing_changes(), pytest.raises(Conflict) as refused:
        service.signup_create(
            actor=owners["wang"], activity=festival, house=owners["h102"], people=1
        )
    assert refused.value.code == "signup_closed"


def test_a_house_outside_the_audience_is_refused(festival, admin, neighbours, nothing_changes):
    qian = add_owner(admin, neighbours["h401"], "钱八", "13700000011", username="qianba")
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        service.signup_create(actor=qian, activity=festival, house=neighbours["h401"], people=1)
    assert refused.value.code == "not_in_audience"


def test_staff_cannot_sign_up_for_an_owner(festival, agent, zhang_house, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        service.signup_create(actor=agent, activity=festival, house=zhang_house, people=1)


def test_check_in_on_the_day_photos_and_feedback_to_suggestion(
    festival, owner_a, zhang_house, agent, clock
):
    signup = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=2)
    with pytest.raises(Conflict) as early:
        service.signup_check_in(actor=agent, signup=signup)
    assert early.value.code == "not_started"
    clock.move_to(at("2026-07-15 18:05"))
    service.signup_check_in(actor=agent, signup=signup)
    with pytest.raises(Conflict) as twice:
        service.signup_check_in(actor=agent, signup=signup)
    assert twice.value.code == "already_checked_in"
    photo = service.activity_photo_add(actor=agent, activity=festival, photo=png(), caption="合影")
    assert photo.photo_type == "image/png"
    with pytest.raises(ValidationFailed):
        service.activity_photo_add(
            actor=agent,
            activity=festival,
            photo=SimpleUploadedFile("x.png", b"<script>", content_type="image/png"),
        )
    feedback = service.feedback_add(
        actor=owner_a, activity=festival, house=zhang_house, rating=4, comment="希望多办亲子活动"
    )
    request = service.feedback_to_suggestion(actor=agent, feedback=feedback)
    assert (request.kind.code, request.house_id) == ("suggestion", zhang_house.id)
    with pytest.raises(Conflict):
        service.feedback_to_suggestion(actor=agent, feedback=feedback)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"max_party": 99}, "max_party"),
        ({"fee": "-1"}, "fee"),
        ({"fee": "1.001"}, "fee"),
        ({"fee": "NaN"}, "fee"),
        ({"place": "a\x00b"}, "place"),
        ({"starts_at": at("2026-07-01 10:00")}, "starts_at"),
        ({"ends_at": at("2026-07-15 17:00")}, "ends_at"),
        ({"signup_closes_at": at("2026-07-16 10:00")}, "signup_closes_at"),
        ({"building_ids": [999999]}, "buildings"),
    ],
)
def test_planning_refuses_bad_input(agent, building_3, nothing_changes, changes, field):
    values = {
        "kind": "festival",
        "title": "中秋游园会",
        "place": "中心广场",
        "starts_at": at("2026-07-15 18:00"),
        "ends_at": at("2026-07-15 21:00"),
        "capacity": 5,
        **changes,
    }
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        service.activity_create(actor=agent, community=building_3.community, **values)
    assert refused.value.field == field


def test_technicians_and_other_communities_cannot_plan(personas, building_3, nothing_changes):
    for role in ("technician", "other_agent", "owner"):
        with nothing_changes(), pytest.raises(PermissionDenied):
            service.activity_create(
                actor=personas[role],
                community=building_3.community,
                kind="festival",
                title="x",
                place="y",
                starts_at=at("2026-07-15 18:00"),
                ends_at=at("2026-07-15 21:00"),
                capacity=5,
            )


# --- pages -------------------------------------------------------------------------------------

STAFF_PAGES = {
    "list": lambda a: "/community/activities/",
    "detail": lambda a: f"/community/activities/{a.id}/",
    "new": lambda a: "/community/activities/new/",
}
VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
MANAGERS = {"agent", "supervisor", "admin"}


@pytest.mark.parametrize("page", sorted(STAFF_PAGES))
@pytest.mark.parametrize(
    "role",
    ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"],
)
def test_console_page_for_role(festival, personas, page, role):
    response = client_for(personas[role]).get(STAFF_PAGES[page](festival))
    allowed = MANAGERS if page == "new" else VIEWERS
    if role in allowed or (role == "other_agent" and page != "detail"):
        assert response.status_code == 200, response.content[:300]
    elif role == "other_agent":
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    if response.status_code == 200 and page == "list" and role != "other_agent":
        assert "中秋游园会" in response.content.decode()
    if role == "other_agent" and page == "list":
        assert "中秋游园会" not in response.content.decode()


def test_planning_from_the_page(agent, building_3):
    client = client_for(agent)
    response = client.post(
        "/community/activities/new/",
        {
            "community": building_3.community_id,
            "kind": "parent_child",
            "title": "亲子手工课",
            "place": "会所二楼",
            "starts_at": "2026-07-20T14:00",
            "ends_at": "2026-07-20T16:00",
            "capacity": "20",
            "max_party": "3",
            "fee": "0",
            "announce": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert (activity.title, activity.signup_closes_at) == ("亲子手工课", at("2026-07-20 14:00"))
    page = client.get(response["Location"]).content.decode()
    assert "亲子手工课" in page and "0 / 20" not in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"capacity": "-3"}, "capacity"),
        ({"starts_at": "2026-13-40T10:00"}, "starts_at"),
        ({"ends_at": "2026-07-20T13:00"}, "ends_at"),
        ({"title": "<script>alert(1)</script>" + "x" * 100}, "title"),
        ({"community": "999999"}, "community"),
    ],
)
def test_the_planning_page_refuses_bad_input(agent, building_3, changes, field):
    values = {
        "community": building_3.community_id,
        "kind": "festival",
        "title": "亲子手工课",
        "place": "会所二楼",
        "starts_at": "2026-07-20T14:00",
        "ends_at": "2026-07-20T16:00",
        "capacity": "20",
        "max_party": "3",
        **changes,
    }
    before = community_snapshot()
    response = client_for(agent).post("/community/activities/new/", values)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert community_snapshot() == before


def test_check_in_and_photo_from_the_detail_page(festival, owner_a, zhang_house, agent, clock):
    signup = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=2)
    clock.move_to(at("2026-07-15 18:05"))
    client = client_for(agent)
    client.post(f"/community/activities/{festival.id}/signups/{signup.id}/check-in/")
    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    response = client.post(
        f"/community/activities/{festival.id}/", {"photo": png(), "caption": "合影"}
    )
    assert response.status_code == 302
    photo = festival.photos.get()
    image = client.get(f"/community/activities/{festival.id}/photos/{photo.id}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    bad = client.post(
        f"/community/activities/{festival.id}/",
        {"photo": SimpleUploadedFile("a.png", b"GIF89a<html>", content_type="image/png")},
    )
    assert bad.status_code == 400 and festival.photos.count() == 1


def test_another_communitys_activity_and_signup_are_not_found(
    festival, owner_a, zhang_house, personas
):
    signup = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=1)
    other = client_for(personas["other_agent"])
    before = community_snapshot()
    for path in (
        f"/community/activities/{festival.id}/signups/{signup.id}/check-in/",
        f"/community/activities/{festival.id}/signups/{signup.id}/cancel/",
        f"/community/activities/{festival.id}/cancel/",
    ):
        assert other.post(path, {"reason": "x"}).status_code == 404
    assert community_snapshot() == before


# --- portal ------------------------------------------------------------------------------------


def test_the_portal_lists_and_signs_up(festival, owner_a, zhang_house):
    client = client_for(owner_a)
    listing = client.get("/m/activities/").content.decode()
    main = listing[listing.index("<main") : listing.index("</main>")]
    assert "中秋游园会" in main and "剩余5个名额" in main, main
    page = client.get(f"/m/activities/{festival.id}/")
    assert page.status_code == 200
    response = client.post(
        f"/m/activities/{festival.id}/", {"action": "signup", "house": zhang_house.id, "people": 2}
    )
    assert response.status_code == 302
    assert ActivitySignup.objects.get().people == 2
    detail = client.get(f"/m/activities/{festival.id}/").content.decode()
    assert "已确认名额" in detail and "取消报名" in detail


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"people": "4"}, "people"),
        ({"people": "0"}, "people"),
        ({"people": "abc"}, "people"),
        ({"people": "1\x00"}, "people"),
        ({"house": "999999"}, "house"),
        ({"house": "'; DROP TABLE x; --"}, "house"),
    ],
)
def test_the_portal_sign_up_refuses_bad_input(festival, owner_a, zhang_house, values, field):
    body = {"action": "signup", "house": zhang_house.id, "people": 1, **values}
    before = community_snapshot()
    response = client_for(owner_a).post(f"/m/activities/{festival.id}/", body)
    assert response.status_code == 400
    assert field in response.context["signup_form"].errors
    assert community_snapshot() == before


def test_the_portal_refuses_staff_other_owners_and_foreign_activities(
    festival, personas, admin, house_b, owner_a, zhang_house
):
    assert client_for(personas["agent"]).get("/m/activities/").status_code == 302
    outsider = add_owner(admin, house_b, "外人", "13700000099", username="outsider")
    assert client_for(outsider).get(f"/m/activities/{festival.id}/").status_code == 404
    signup = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=1)
    before = community_snapshot()
    response = client_for(outsider).post(f"/m/activities/signups/{signup.id}/cancel/")
    assert response.status_code == 404
    assert community_snapshot() == before


def test_the_owner_cancels_on_the_portal(festival, owner_a, zhang_house):
    signup = service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=1)
    response = client_for(owner_a).post(f"/m/activities/signups/{signup.id}/cancel/")
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_feedback_on_the_portal_after_the_start(festival, owner_a, zhang_house, clock):
    service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=1)
    client = client_for(owner_a)
    assert (
        'data-testid="feedback-form"'
        not in client.get(f"/m/activities/{festival.id}/").content.decode()
    )
    clock.move_to(at("2026-07-15 20:00"))
    client = client_for(owner_a)  # a fresh session: the first one has expired by then
    bad = client.post(
        f"/m/activities/{festival.id}/",
        {"action": "feedback", "house": zhang_house.id, "rating": "9"},
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/m/activities/{festival.id}/",
        {"action": "feedback", "house": zhang_house.id, "rating": "5", "comment": "很好"},
    )
    assert ok.status_code == 302
    assert festival.feedback.get().rating == 5


def test_the_house_history_names_the_activity_signed_up_for(festival, owner_a, zhang_house, admin):
    from django.urls import reverse

    service.signup_create(actor=owner_a, activity=festival, house=zhang_house, people=2)
    body = client_for(admin).get(reverse("house_detail", args=[zhang_house.id])).content.decode()
    history = body[body.index('data-testid="history-event"') :]
    assert "中秋游园会" in history and "已确认名额" in history
    assert f"{festival.id}:{zhang_house.id}" not in history
