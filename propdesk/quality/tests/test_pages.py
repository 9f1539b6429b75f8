"""The quality pages: who sees which page, the call desk's forms, the queue and the import."""

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.models import AccessLog
from propdesk.quality.models import Call, CallOutcome
from propdesk.quality.tests.conftest import GOOD_CSV, csv_file, quality_snapshot

pytestmark = pytest.mark.django_db

DESK = {"agent", "supervisor", "admin"}
SUPERVISION = {"supervisor", "admin"}
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"]


def as_role(personas, role) -> Client:
    client = Client()
    client.force_login(personas[role])
    return client


def expected(role, allowed, *, other=200):
    if role == "other_agent":
        return other
    return 200 if role in allowed else 403


PAGES = {
    "quality_home": (lambda w: reverse("quality_home"), DESK, 200),
    "quality_calls": (lambda w: reverse("quality_calls"), DESK, 200),
    "quality_call_new": (lambda w: reverse("quality_call_new"), DESK, 200),
    "quality_callbacks": (lambda w: reverse("quality_callbacks"), DESK, 200),
    "quality_call_figures": (lambda w: reverse("quality_call_figures"), SUPERVISION, 403),
    "quality_call_import": (lambda w: reverse("quality_call_import"), SUPERVISION, 403),
    "quality_call_detail": (
        lambda w: reverse("quality_call_detail", args=[w.id]),
        DESK,
        404,
    ),
}
CASES = [(name, role) for name in PAGES for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_page_for_role(personas, live_call, name, role):
    url, allowed, other = PAGES[name]
    response = as_role(personas, role).get(url(live_call))
    if role == "owner":
        assert response.status_code == 403
        return
    assert response.status_code == expected(role, allowed, other=other), (name, role)


def test_anonymous_is_sent_to_log_in(live_call):
    response = Client().get(reverse("quality_calls"))
    assert response.status_code == 302


def test_the_desk_opens_a_call_and_shows_the_callers_house(personas, community_a, zhang_san):
    client = as_role(personas, "agent")
    response = client.post(
        reverse("quality_call_new"),
        {"community": community_a.id, "number": "13812345678", "direction": "inbound"},
    )
    call = Call.objects.get()
    assert response.url == reverse("quality_call_detail", args=[call.id])
    page = client.get(response.url).content.decode()
    assert "3-2-1502" in page
    assert "138****5678" in page
    assert "13812345678" not in page.replace('value="13812345678"', "")


def test_a_bad_number_on_the_desk_is_named(personas, community_a):
    client = as_role(personas, "agent")
    before = quality_snapshot()
    response = client.post(
        reverse("quality_call_new"),
        {"community": community_a.id, "number": "abc", "direction": "inbound"},
    )
    assert response.status_code == 400
    assert 'data-field-error="number"' in response.content.decode()
    assert quality_snapshot() == before


def test_another_communitys_id_on_the_desk_is_refused(personas, community_b):
    before = quality_snapshot()
    response = as_role(personas, "agent").post(
        reverse("quality_call_new"), {"community": community_b.id, "number": "13812345678"}
    )
    assert response.status_code == 400
    assert quality_snapshot() == before


def test_ending_on_the_spot(personas, live_call):
    response = as_role(personas, "agent").post(
        reverse("quality_call_end", args=[live_call.id]),
        {"action": "finish", "finish-outcome": "on_the_spot", "finish-note": "问停车"},
    )
    assert response.status_code == 302
    live_call.refresh_from_db()
    assert live_call.outcome == CallOutcome.ON_THE_SPOT


def test_recording_a_request_from_the_desk(personas, live_call, house_a, zhang_san):
    response = as_role(personas, "agent").post(
        reverse("quality_call_end", args=[live_call.id]),
        {
            "action": "request",
            "intake-house": house_a.id,
            "intake-caller_owner": zhang_san.id,
            "intake-kind": "repair",
            "intake-category": "repair_water",
            "intake-urgency": "normal",
            "intake-channel": "phone",
            "intake-description": "厨房漏水",
        },
    )
    assert response.status_code == 302
    live_call.refresh_from_db()
    assert live_call.outcome == CallOutcome.REQUEST_CREATED
    assert live_call.request.description == "厨房漏水"


def test_a_foreign_house_on_the_desk_is_refused(personas, live_call, house_b):
    before = quality_snapshot()
    response = as_role(personas, "agent").post(
        reverse("quality_call_end", args=[live_call.id]),
        {
            "action": "message",
            "message-house": house_b.id,
            "message-category": "fees",
            "message-message": "请回电",
        },
    )
    assert response.status_code == 400
    assert quality_snapshot() == before


def test_taking_a_message_from_the_desk(personas, live_call, house_a):
    response = as_role(personas, "agent").post(
        reverse("quality_call_end", args=[live_call.id]),
        {
            "action": "message",
            "message-house": house_a.id,
            "message-category": "fees",
            "message-message": "请财务回电",
        },
    )
    assert response.status_code == 302
    live_call.refresh_from_db()
    assert live_call.outcome == CallOutcome.MESSAGE_TAKEN


def test_revealing_the_number_writes_the_access_log(personas, live_call):
    response = as_role(personas, "agent").post(reverse("quality_call_reveal", args=[live_call.id]))
    assert "13812345678" in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.subject_type, log.subject_id, log.field) == ("call", live_call.id, "mobile")


def test_another_community_cannot_reveal(personas, live_call):
    response = as_role(personas, "other_agent").post(
        reverse("quality_call_reveal", args=[live_call.id])
    )
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_calling_back_from_the_queue(personas, missed_call):
    client = as_role(personas, "agent")
    queue = client.get(reverse("quality_callbacks")).content.decode()
    assert "138****5678" in queue
    response = client.post(reverse("quality_call_callback", args=[missed_call.id]))
    outbound = Call.objects.get(callback_of=missed_call)
    assert response.url == reverse("quality_call_detail", args=[outbound.id])
    client.post(
        reverse("quality_call_end", args=[outbound.id]),
        {"action": "finish", "finish-outcome": "on_the_spot"},
    )
    assert "callbacks-empty" in client.get(reverse("quality_callbacks")).content.decode()


def test_the_import_previews_then_writes(personas, line_a):
    client = as_role(personas, "supervisor")
    before = quality_snapshot()
    preview = client.post(reverse("quality_call_import"), {"file": csv_file(GOOD_CSV)})
    assert preview.status_code == 200
    assert "confirm-import" in preview.content.decode()
    assert quality_snapshot() == before
    done = client.post(reverse("quality_call_import"), {"confirm": "1"})
    assert done.status_code == 302
    assert Call.objects.filter(pbx_call_id="P1").exists()


def test_the_import_lists_bad_rows(personas, line_a):
    client = as_role(personas, "supervisor")
    bad = GOOD_CSV + "B1,inbound,4008009999,1381,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,\n"
    response = client.post(reverse("quality_call_import"), {"file": csv_file(bad)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "import-errors" in page and "confirm-import" not in page
    assert not Call.objects.exists()


def test_the_figures_page_draws_the_target(personas, live_call):
    page = as_role(personas, "supervisor").get(reverse("quality_call_figures")).content.decode()
    assert "answer-rate-chart" in page
    assert '"target": 98.0' in page


def test_the_figures_page_names_a_bad_period(personas):
    response = as_role(personas, "supervisor").get(
        reverse("quality_call_figures"), {"date_from": "2026-07-10", "date_to": "2026-07-01"}
    )
    assert response.status_code == 400
    assert 'data-field-error="date_to"' in response.content.decode()
