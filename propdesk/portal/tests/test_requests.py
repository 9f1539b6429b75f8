"""Filing, following, adding to, cancelling and rating requests from the portal."""

import io

import pytest
from django.utils import translation
from PIL import Image

from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.tests.hostile_files import HOSTILE, HOSTILE_CODES
from propdesk.portal import selectors
from propdesk.portal.services import requests as portal_requests
from propdesk.portal.tests.conftest import jpeg, photo
from propdesk.tickets.models import RequestPhoto, ServiceRequest
from propdesk.tickets.services import transitions

pytestmark = pytest.mark.django_db


def submit(world, actor=None, **values):
    data = {
        "actor": actor or world.zhang,
        "house_id": world.house.pk,
        "kind": "repair",
        "category": "repair_water",
        "description": "主卫地漏反水",
    }
    data.update(values)
    return portal_requests.request_submit(**data)


def test_an_owner_files_a_repair_with_photos_resized_to_jpeg(world):
    big = jpeg(3200, 2400)
    png = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 0, 0)).save(png, format="PNG")
    request = submit(world, photos=[photo("big.jpg", big), photo("small.png", png.getvalue())])
    assert (request.channel, request.status, request.house) == ("portal", "new", world.house)
    assert (request.caller_name, request.caller_mobile) == ("张三", world.zhang.mobile)
    stored = list(RequestPhoto.objects.filter(request=request).order_by("id"))
    assert [p.content_type for p in stored] == ["image/jpeg", "image/jpeg"]
    with Image.open(stored[0].file) as image:
        assert max(image.size) == 1600
    assert request.events.get().action == "created"


def test_a_tenant_and_an_agent_file_requests_too(world):
    assert submit(world, actor=world.wang).house == world.house
    assert submit(world, actor=world.zhao).house == world.house


def test_an_emergency_is_filed_as_such(world):
    assert submit(world, emergency=True).urgency.code == "emergency"


def test_it_refuses_a_house_the_account_is_not_linked_to(world):
    with pytest.raises(NotFound):
        submit(world, actor=world.li)
    with pytest.raises(NotFound):
        submit(world, actor=world.stranger)
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"<?php echo 1; ?>", "not_an_image"), (b"\xff\xd8\xff" + b"garbage" * 10, "not_an_image")],
)
def test_it_refuses_what_is_not_a_photo(world, content, code):
    with pytest.raises(ValidationFailed) as error:
        submit(world, photos=[photo("x.jpg", content)])
    assert (error.value.field, error.value.code) == ("photos", code)
    assert not ServiceRequest.objects.exists()


def test_it_refuses_more_than_nine_photos(world):
    with pytest.raises(ValidationFailed) as error:
        submit(world, photos=[photo() for _ in range(10)])
    assert error.value.code == "too_many_photos"
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", ""),
        ("description", "x" * 10000),
        ("kind", "<script>"),
        ("category", "' OR 1=1"),
    ],
)
def test_bad_input_names_the_field(world, field, value):
    with pytest.raises(ValidationFailed) as error:
        submit(world, **{field: value})
    assert error.value.field == field
    assert not ServiceRequest.objects.exists()


def test_the_owner_follows_the_timeline_in_plain_words(world, agent, departments):
    request = submit(world)
    transitions.request_dispatch(
        actor=agent, request=request, department=departments["engineering"]
    )
    with translation.override("en"):
        view = selectors.request_view(world.zhang, request.pk)
    assert [step.text for step in view.steps] == [
        f"Received as {request.number}",
        "Passed to 工程部",
    ]
    assert view.expected and view.may_cancel and not view.may_rate


def test_the_owner_adds_a_note_and_a_photo(world):
    request = submit(world)
    event = portal_requests.request_note(
        actor=world.zhang, request_id=request.pk, text="楼下也漏了", photos=[photo()]
    )
    assert (event.action, event.data["by"], event.photos.count()) == ("note", "owner", 1)
    steps = selectors.request_view(world.zhang, request.pk).steps
    assert steps[-1].text and steps[-1].note == "楼下也漏了" and len(steps[-1].photos) == 1
    with pytest.raises(ValidationFailed):
        portal_requests.request_note(actor=world.zhang, request_id=request.pk, text="")


def test_the_owner_cancels_before_work_starts_but_not_after(world, personas, departments):
    request = submit(world)
    portal_requests.request_withdraw(actor=world.zhang, request_id=request.pk, reason="已自行修好")
    request.refresh_from_db()
    assert (request.status, request.cancel_reason) == ("cancelled", "已自行修好")
    started = submit(world)
    transitions.request_dispatch(
        actor=personas["agent"],
        request=started,
        department=departments["engineering"],
        assignee=personas["technician"],
    )
    transitions.request_start(actor=personas["technician"], request=started)
    with pytest.raises(Conflict):
        portal_requests.request_withdraw(actor=world.zhang, request_id=started.pk, reason="不修了")
    started.refresh_from_db()
    assert started.status == "in_progress"


def resolve(world, personas, departments, request):
    transitions.request_dispatch(
        actor=personas["agent"],
        request=request,
        department=departments["engineering"],
        assignee=personas["technician"],
    )
    transitions.request_start(actor=personas["technician"], request=request)
    transitions.request_resolve(actor=personas["technician"], request=request, note="已更换地漏")
    request.refresh_from_db()
    return request


def test_the_owner_rates_5_and_it_closes(world, personas, departments):
    request = resolve(world, personas, departments, submit(world))
    assert selectors.request_view(world.zhang, request.pk).may_rate
    portal_requests.request_rate(
        actor=world.zhang, request_id=request.pk, satisfaction=5, comment="师傅很专业"
    )
    request.refresh_from_db()
    assert (request.status, request.satisfaction) == ("closed", 5)


def test_a_rating_of_2_or_less_reopens(world, personas, departments):
    request = resolve(world, personas, departments, submit(world))
    portal_requests.request_rate(actor=world.wang, request_id=request.pk, satisfaction=2)
    request.refresh_from_db()
    assert (request.status, request.reopen_count) == ("dispatched", 1)


@pytest.mark.parametrize("score", [0, 6, "five", None, 3.5])
def test_a_bad_score_is_refused(world, personas, departments, score):
    request = resolve(world, personas, departments, submit(world))
    with pytest.raises(ValidationFailed) as error:
        portal_requests.request_rate(actor=world.zhang, request_id=request.pk, satisfaction=score)
    assert error.value.field == "satisfaction"
    request.refresh_from_db()
    assert request.status == "resolved"


def test_rating_before_resolution_is_refused(world):
    request = submit(world)
    with pytest.raises(Conflict):
        portal_requests.request_rate(actor=world.zhang, request_id=request.pk, satisfaction=5)


def test_nobody_acts_on_another_house_request(world, request_b):
    for action in (
        lambda: portal_requests.request_note(actor=world.zhang, request_id=request_b.pk, text="x"),
        lambda: portal_requests.request_withdraw(
            actor=world.zhang, request_id=request_b.pk, reason="x"
        ),
        lambda: portal_requests.request_rate(
            actor=world.zhang, request_id=request_b.pk, satisfaction=1
        ),
        lambda: selectors.request_view(world.zhang, request_b.pk),
    ):
        with pytest.raises(NotFound):
            action()
    request_b.refresh_from_db()
    assert request_b.status == "new" and request_b.events.count() == 1


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_it_decodes_photos_and_refuses_hostile_files(world, kind):
    """A PNG-headed HTML page and a 30000 x 30000 pixel bomb pass the magic bytes; decoding
    with a pixel limit refuses both, when filing and when adding a photo later."""
    with pytest.raises(ValidationFailed) as error:
        submit(world, photos=[photo("x.png", HOSTILE[kind]())])
    assert (error.value.field, error.value.code) == ("photos", HOSTILE_CODES[kind])
    assert not ServiceRequest.objects.exists()
    filed = submit(world)
    with pytest.raises(ValidationFailed) as error:
        portal_requests.request_note(
            actor=world.zhang, request_id=filed.pk, photos=[photo("y.png", HOSTILE[kind]())]
        )
    assert (error.value.field, error.value.code) == ("photos", HOSTILE_CODES[kind])
    assert not filed.photos.exists()


def test_the_follow_up_call_beginning_is_not_shown_as_an_empty_rating(world, personas, departments):
    """The step into follow-up carries no score: the owner read "评价 /5 分" above the real one."""
    from propdesk.tickets.services.follow_up import follow_up_record

    request = submit(world)
    transitions.request_dispatch(
        actor=personas["agent"],
        request=request,
        department=departments["engineering"],
        assignee=personas["technician"],
    )
    transitions.request_start(actor=personas["technician"], request=request)
    transitions.request_resolve(actor=personas["technician"], request=request, note="已更换阀芯")
    transitions.request_follow_up_begin(actor=personas["supervisor"], request=request)
    follow_up_record(actor=personas["supervisor"], request=request, satisfaction=5)
    with translation.override("zh-hans"):
        texts = [step.text for step in selectors.request_view(world.zhang, request.pk).steps]
    assert "评价 /5 分" not in texts
    assert texts.count("评价 5/5 分") == 1
    assert "客服中心正在回访" in texts
