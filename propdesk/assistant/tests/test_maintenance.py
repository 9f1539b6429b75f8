"""Maintenance prediction: the ranking, the outreach list and calls (page, API), the backtest."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from propdesk.api.tests.helpers import ApiCaller
from propdesk.assistant import maintenance, outreach
from propdesk.assistant.maintenance import Report
from propdesk.assistant.models import MaintenanceOutreach
from propdesk.core.audit import AuditEvent
from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from propdesk.tickets.models import Channel, ServiceRequest
from propdesk.tickets.tests.conftest import SH, START, at, new_request

DAY = datetime.timedelta(days=1)


def _report(category, house, days_ago, *, building=1, as_of=START):
    return Report(category, house, building, as_of - days_ago * DAY)


# --- the ranking (no database) -----------------------------------------------------------------


def test_a_fault_that_keeps_coming_back_on_its_rhythm_ranks_first():
    reports = [
        # House 1: a drain every ~60 days, the last 50 days ago: due in about ten days.
        _report("repair_water", 1, 230),
        _report("repair_water", 1, 170),
        _report("repair_water", 1, 110),
        _report("repair_water", 1, 50),
        # House 2: one leak almost a year ago.
        _report("repair_water", 2, 330),
        # House 3: twice, but fixed a week ago and its rhythm is half a year.
        _report("repair_water", 3, 190),
        _report("repair_water", 3, 7),
    ]
    ranked = maintenance.score_places(reports, START)
    assert [c.house_id for c in ranked] == [1, 3, 2]
    first = ranked[0]
    assert (first.reports, first.days_since_last, first.typical_gap_days) == (4, 50, 60)
    assert "4" in first.reason and "60" in first.reason


def test_reports_days_apart_are_one_fault_and_old_or_future_ones_are_ignored():
    reports = [
        _report("repair_water", 1, 40),
        _report("repair_water", 1, 39),  # the same leak reported again the next day
        _report("repair_water", 1, 800),  # older than two years
        Report("repair_water", 1, 1, START + DAY),  # after the moment scored
        _report("noise", 1, 10),  # not a repair
    ]
    (only,) = maintenance.score_places(reports, START)
    assert only.reports == 1 and only.typical_gap_days is None


def test_lifts_and_common_parts_are_kept_per_building():
    reports = [
        _report("repair_elevator", 11, 100, building=7),
        _report("repair_elevator", 12, 40, building=7),
        _report("repair_elevator", None, 10, building=8),
    ]
    ranked = maintenance.score_places(reports, START)
    assert sorted((c.building_id, c.house_id, c.reports) for c in ranked) == [
        (7, None, 2),
        (8, None, 1),
    ]


def test_the_season_lifts_drains_before_the_rains_and_circuits_before_summer():
    may = datetime.date(2026, 5, 1)
    october = datetime.date(2026, 10, 1)
    assert maintenance.season_weight("repair_water", may) > 1.5
    assert maintenance.season_weight("repair_water", october) == 1.0
    assert maintenance.season_weight("repair_electric", datetime.date(2026, 6, 1)) > 1.5
    one = [_report("repair_water", 1, 60, as_of=at("2026-05-01 09:00"))]
    same = [_report("repair_water", 1, 60, as_of=at("2026-10-01 09:00"))]
    in_may = maintenance.score_places(one, at("2026-05-01 09:00"))[0]
    in_october = maintenance.score_places(same, at("2026-10-01 09:00"))[0]
    assert in_may.score > in_october.score and in_may.in_season and not in_october.in_season


# --- the list and the calls --------------------------------------------------------------------


@pytest.fixture
def history(desk):
    """Community A's house 3-2-1502 had a blocked drain every two months; community B's house
    one leak. Requests are filed through the service, then dated back."""
    made = []
    for days_ago in (230, 170, 110, 50):
        request = new_request(desk.agent, desk.house)
        made.append((request.pk, START - days_ago * DAY))
    foreign = new_request(desk.other_agent, desk.house_b)
    made.append((foreign.pk, START - 100 * DAY))
    for pk, when in made:
        ServiceRequest.objects.filter(pk=pk).update(created_at=when)
    return desk


def test_the_list_names_the_house_the_owner_and_why(history):
    rows = outreach.outreach_list(actor=history.agent, community=history.community_a)
    assert len(rows) == 1
    row = rows[0]
    assert row.place_label == history.house.code
    assert row.owner_name == history.owner.name
    assert "*" in row.owner_mobile_masked or row.owner_mobile_masked == ""
    assert row.category_label != "repair_water"  # a label, not the code


@pytest.mark.parametrize("role", ["technician", "cashier", "guard"])
def test_roles_without_the_right_are_refused_the_list(history, role):
    with pytest.raises(PermissionDenied):
        outreach.outreach_list(actor=getattr(history, role), community=history.community_a)


def test_another_communitys_list_is_refused(history):
    with pytest.raises(PermissionDenied):
        outreach.outreach_list(actor=history.agent, community=history.community_b)


def test_a_booked_visit_files_a_repair_request_and_the_place_leaves_the_list(history):
    visit = at("2026-03-18 10:00")
    record = outreach.outreach_record(
        actor=history.agent,
        community=history.community_a,
        category="repair_water",
        house_id=history.house.pk,
        outcome="booked",
        note="业主说周三上午在家",
        visit_at=visit,
    )
    request = record.request
    assert request.house_id == history.house.pk and request.category.code == "repair_water"
    assert request.kind.code == "repair" and request.channel == Channel.PHONE
    assert request.preferred_visit_at == visit
    assert request.caller_owner_id == history.owner.pk
    assert "业主说周三上午在家" in request.description
    assert record.reason and record.called_by == history.agent
    assert AuditEvent.objects.filter(
        object_type="maintenanceoutreach", object_id=record.pk, house_id=history.house.pk
    ).exists()
    assert outreach.outreach_list(actor=history.agent, community=history.community_a) == []


def test_a_call_without_a_booking_files_nothing(history):
    before = ServiceRequest.objects.count()
    record = outreach.outreach_record(
        actor=history.agent,
        community=history.community_a,
        category="repair_water",
        house_id=history.house.pk,
        outcome="unreachable",
    )
    assert record.request is None and ServiceRequest.objects.count() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "booked"}, "visit_at"),
        ({"outcome": "booked", "visit_at": "2026-03-01T10:00"}, "visit_at"),
        ({"outcome": "booked", "visit_at": "2026-09-01T10:00"}, "visit_at"),
        ({"outcome": "booked", "visit_at": "0000-01-01T10:00"}, "visit_at"),
        ({"outcome": "booked", "visit_at": "tomorrow"}, "visit_at"),
        ({"outcome": "no_need", "visit_at": "2026-03-18T10:00"}, "visit_at"),
        ({"outcome": "no_need", "note": "x" * 501}, "note"),
        ({"outcome": "no_need", "note": "a\x00b"}, "note"),
        ({"outcome": "no_need", "category": "noise"}, "category"),
        ({"outcome": "no_need", "house_id": None}, "house"),
    ],
)
def test_bad_calls_are_refused_naming_the_field_and_write_nothing(history, values, field):
    arguments = {
        "actor": history.agent,
        "community": history.community_a,
        "category": "repair_water",
        "house_id": history.house.pk,
        **values,
    }
    before = ServiceRequest.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        outreach.outreach_record(**arguments)
    assert caught.value.field == field
    assert MaintenanceOutreach.objects.count() == 0 and ServiceRequest.objects.count() == before


def test_another_communitys_house_is_not_found(history):
    with pytest.raises(NotFound):
        outreach.outreach_record(
            actor=history.agent,
            community=history.community_a,
            category="repair_water",
            house_id=history.house_b.pk,
            outcome="no_need",
        )


# --- the page ----------------------------------------------------------------------------------


def _client(client, user):
    client.force_login(user)
    return client


def test_the_page_lists_and_books(client, history):
    page = _client(client, history.agent).get("/assistant/maintenance/")
    text = page.content.decode()
    assert page.status_code == 200
    assert history.house.code in text and 'data-testid="outreach-row"' in text
    assert "repair_water" in text  # only as the hidden form value
    assert ">repair_water<" not in text
    response = client.post(
        "/assistant/maintenance/call/",
        {
            "community": history.community_a.pk,
            "category": "repair_water",
            "house": history.house.pk,
            "outcome": "booked",
            "visit_at": "2026-03-18T10:00",
            "note": "",
        },
    )
    assert response.status_code == 302
    record = MaintenanceOutreach.objects.get()
    assert record.request.preferred_visit_at == at("2026-03-18 10:00")
    text = client.get(response["Location"]).content.decode()
    assert record.request.number in text and 'data-testid="outreach-empty"' in text


def test_a_bad_call_on_the_page_comes_back_with_the_message(client, history):
    response = _client(client, history.agent).post(
        "/assistant/maintenance/call/",
        {
            "community": history.community_a.pk,
            "category": "repair_water",
            "house": history.house.pk,
            "outcome": "booked",
            "visit_at": "",
        },
    )
    assert response.status_code == 302
    assert MaintenanceOutreach.objects.count() == 0
    assert "上门时间" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("technician", 403), ("guard", 403), ("cashier", 403), ("owner", 403)]
)
def test_the_page_refuses_roles_without_the_right(client, history, personas, role, status):
    user = personas[role] if role == "owner" else getattr(history, role)
    response = _client(client, user).get("/assistant/maintenance/")
    assert response.status_code == status


def test_the_page_refuses_another_communitys_id(client, history):
    response = _client(client, history.agent).get(
        "/assistant/maintenance/", {"community": history.community_b.pk}
    )
    assert response.status_code == 404
    response = client.post(
        "/assistant/maintenance/call/",
        {
            "community": history.community_a.pk,
            "category": "repair_water",
            "house": history.house_b.pk,
            "outcome": "no_need",
        },
    )
    assert response.status_code == 404 and MaintenanceOutreach.objects.count() == 0


# --- the API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("technician", 403),
        ("cashier", 403),
        ("guard", 403),
        ("owner", 403),
        ("other_agent", 404),
        ("anonymous", 401),
    ],
)
def test_the_api_list_per_role(history, personas, role, status):
    response = ApiCaller(personas).get(
        role, "/api/assistant/maintenance", {"community": history.community_a.pk}
    )
    assert response.status_code == status, response.content
    if status == 200:
        (row,) = response.json()
        assert row["house"] == history.house.pk and row["reports"] == 4
        assert row["owner_mobile"] == "" or "*" in row["owner_mobile"]


def test_the_api_books_a_visit_once_per_call(history, personas):
    caller = ApiCaller(personas)
    body = {
        "community": history.community_a.pk,
        "category": "repair_water",
        "house": history.house.pk,
        "outcome": "booked",
        "visit_at": "2026-03-18T10:00:00+08:00",
    }
    response = caller.post("agent", "/api/assistant/maintenance/outreach", body)
    assert response.status_code == 201, response.content
    number = response.json()["request_number"]
    assert ServiceRequest.objects.filter(number=number, preferred_visit_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"outcome": "booked"}, 400, "visit_at"),
        ({"outcome": "<script>"}, 400, "outcome"),
        ({"category": "repair_gas"}, 400, "category"),
        ({"house": "1; DROP TABLE"}, 422, "house"),
        ({"community": "1"}, 422, "community"),
        ({"house": None}, 400, "house"),
        ({"note": "n" * 10_000}, 400, "note"),
        ({"visit_at": "2026-13-45T99:00", "outcome": "booked"}, 400, "visit_at"),
    ],
)
def test_the_api_refuses_bad_calls_naming_the_field(history, personas, change, status, field):
    body = {
        "community": history.community_a.pk,
        "category": "repair_water",
        "house": history.house.pk,
        "outcome": "no_need",
        **change,
    }
    response = ApiCaller(personas).post("agent", "/api/assistant/maintenance/outreach", body)
    assert response.status_code == status, response.content
    assert field in response.json()["field"]
    assert MaintenanceOutreach.objects.count() == 0


def test_the_api_refuses_another_communitys_ids(history, personas):
    caller = ApiCaller(personas)
    body = {
        "community": history.community_b.pk,
        "category": "repair_water",
        "house": history.house_b.pk,
        "outcome": "no_need",
    }
    assert caller.post("agent", "/api/assistant/maintenance/outreach", body).status_code == 404
    body["community"] = history.community_a.pk
    assert caller.post("agent", "/api/assistant/maintenance/outreach", body).status_code == 404
    assert caller.post("technician", "/api/assistant/maintenance/outreach", body).status_code == 403
    assert MaintenanceOutreach.objects.count() == 0


# --- the backtest ------------------------------------------------------------------------------


def test_the_backtest_scores_the_list_against_the_month_that_followed(history):
    # March brings the drain back in 3-2-1502 (on its rhythm), and nothing else.
    march = new_request(history.agent, history.house)
    ServiceRequest.objects.filter(pk=march.pk).update(
        created_at=datetime.datetime(2026, 3, 20, 10, tzinfo=SH)
    )
    result = maintenance.backtest(history.community_a.pk, datetime.date(2026, 3, 1))
    assert (result.listed, result.reported_places, result.hits_at[20]) == (1, 1, 1)
    assert result.precision(20) == 1.0
    out = io.StringIO()
    call_command(
        "assistant_backtest",
        "--month",
        "2026-03",
        "--community",
        history.community_a.code,
        stdout=out,
    )
    assert "P@20 1.000 (1/1)" in out.getvalue()


@pytest.mark.parametrize(
    "argv",
    [["--month", "2026-13"], ["--month", "0000-01"], ["--month", "2026-03", "--community", "nope"]],
)
def test_the_backtest_refuses_bad_arguments(history, argv):
    with pytest.raises(CommandError):
        call_command("assistant_backtest", *argv, stdout=io.StringIO())
