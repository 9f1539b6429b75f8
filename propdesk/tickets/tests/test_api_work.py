"""Notes, linked calls, photos and owner costs over the API, by role and with bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.core.tests.hostile_files import pixel_bomb_png, png_headed_html
from propdesk.tickets import services
from propdesk.tickets.models import OwnerCost, RequestPhoto
from propdesk.tickets.tests.api_helpers import (
    DESK,
    ROLES,
    STAFF,
    WORKERS,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)
from propdesk.tickets.tests.conftest import png_bytes, snapshot


@pytest.fixture
def api(desk):
    return Api(desk)


@pytest.fixture
def dispatched(desk, make_request):
    return services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_a_note(api, desk, dispatched, role):
    before = snapshot()
    response = api.post(role, f"/api/requests/{dispatched.id}/notes", {"text": "阀门锈死"})
    expected = outcomes(201, WORKERS)[role]
    assert_status(response, expected)
    if expected == 201:
        assert (response.json()["action"], response.json()["note"]) == ("note", "阀门锈死")
    else:
        assert snapshot() == before


@pytest.mark.parametrize(("payload", "field"), [({}, "text"), ({"text": ""}, "text")])
def test_a_note_needs_text(api, desk, dispatched, payload, field):
    before = snapshot()
    assert_bad_input(
        api.post("agent", f"/api/requests/{dispatched.id}/notes", payload), field, before, snapshot
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_link_a_call(api, desk, dispatched, role):
    before = snapshot()
    response = api.post(role, f"/api/requests/{dispatched.id}/calls", {"note": "业主催促"})
    expected = outcomes(201, STAFF)[role]
    assert_status(response, expected)
    if expected != 201:
        assert snapshot() == before


def _png(name="done.png", content=None):
    return SimpleUploadedFile(name, png_bytes() if content is None else content, "image/png")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_photos(api, desk, dispatched, role):
    before = snapshot()
    response = api.upload(
        role, f"/api/requests/{dispatched.id}/photos", {"photos": [_png()], "note": "完工"}
    )
    expected = outcomes(201, WORKERS)[role]
    assert_status(response, expected)
    if expected == 201:
        assert len(response.json()["photos"]) == 1
        assert RequestPhoto.objects.get().uploaded_by == getattr(desk, role)
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"photos": [_png("fake.png", b"%PDF-1.4 pretending")]}, "not_an_image"),
        ({"photos": [_png("exe.jpg", b"MZ\x90\x00" + b"0" * 40)]}, "not_an_image"),
        ({"photos": [_png("empty.png", b"")]}, None),
        ({}, None),
        ({"photos": [_png("page.png", png_headed_html())]}, "not_an_image"),
        ({"photos": [_png("bomb.png", pixel_bomb_png())]}, "too_many_pixels"),
    ],
)
def test_bad_photos_are_refused_naming_the_field(api, desk, dispatched, files, code):
    before = snapshot()
    response = api.upload("technician", f"/api/requests/{dispatched.id}/photos", files)
    assert_bad_input(response, "photos", before, snapshot)
    if code:
        assert response.json()["code"] == code
    assert RequestPhoto.objects.count() == 0


def test_an_oversized_photo_is_refused(api, desk, dispatched, settings):
    settings.REQUEST_PHOTO_MAX_BYTES = 1024
    before = snapshot()
    big = _png("big.png", png_bytes() + b"\x00" * 2048)
    response = api.upload("technician", f"/api/requests/{dispatched.id}/photos", {"photos": [big]})
    assert_status(response, 400)
    assert response.json()["code"] == "file_too_large"
    assert_bad_input(response, "photos", before, snapshot)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_propose_a_cost(api, desk, dispatched, role):
    before = snapshot()
    response = api.post(
        role, f"/api/requests/{dispatched.id}/costs", {"item": "更换角阀", "amount": "48.50"}
    )
    expected = outcomes(201, WORKERS)[role]
    assert_status(response, expected)
    if expected == 201:
        assert (response.json()["amount"], response.json()["state"]) == ("48.50", "proposed")
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"item": "x", "amount": "0"}, "amount"),
        ({"item": "x", "amount": "1.234"}, "amount"),
        ({"item": "x", "amount": "abc"}, "amount"),
        ({"item": "x"}, "amount"),
        ({"amount": "10"}, "item"),
        ({"item": "x", "amount": "10", "payer": "neighbour"}, "payer"),
    ],
)
def test_bad_costs_are_refused(api, desk, dispatched, payload, field):
    before = snapshot()
    response = api.post("technician", f"/api/requests/{dispatched.id}/costs", payload)
    assert_bad_input(response, field, before, snapshot)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_the_owners_answer_to_a_cost(api, desk, dispatched, role):
    cost = services.cost_propose(
        actor=desk.technician, request=dispatched, item="更换角阀", amount="48"
    )
    before = snapshot()
    response = api.post(
        role,
        f"/api/requests/{dispatched.id}/costs/{cost.id}/decision",
        {"confirmed": True, "via": "phone"},
    )
    expected = outcomes(200, DESK)[role]
    assert_status(response, expected)
    if expected == 200:
        assert OwnerCost.objects.get().state == "confirmed"
    else:
        assert snapshot() == before


def test_a_cost_of_another_request_is_not_found(api, desk, dispatched, make_request):
    cost = services.cost_propose(actor=desk.technician, request=dispatched, item="x", amount=1)
    other = make_request(description="另一单")
    before = snapshot()
    response = api.post(
        "agent", f"/api/requests/{other.id}/costs/{cost.id}/decision", {"confirmed": True}
    )
    assert_status(response, 404)
    assert snapshot() == before
