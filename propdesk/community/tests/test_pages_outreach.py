"""Console pages of owner visits, forum opinions, birthday greetings and severe-weather
warnings: rendered for the roles allowed, refused to the others, another community's ids 404,
and every form's bad input shown on its field with nothing written."""

import datetime

import pytest
from django.test import Client

from propdesk.community.models import (
    ForumOpinion,
    GreetingOptOut,
    GreetingSetting,
    OwnerVisit,
    OwnerVisitPlan,
    WeatherWarning,
)
from propdesk.community.services import activities, care, greetings, visits, warnings
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.estates.models import Owner
from propdesk.tickets.models import ServiceRequest

ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"]
BORN_0710 = "110105198007100012"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outreach(supervisor, agent, building_3, house_a, neighbours, admin):
    """A visit plan and a visit with an opinion in building 3, a forum, a scheduled warning with a
    care resident to phone, and a greeting sent to 张三."""
    from types import SimpleNamespace

    visits.visit_plan_set(actor=agent, building=building_3, every_days=30)
    visit = visits.owner_visit_record(
        actor=agent, house=house_a, visited_on=datetime.date(2026, 7, 9), opinions="增加路灯"
    )
    forum = activities.activity_create(
        actor=agent,
        community=building_3.community,
        kind="forum",
        title="业主座谈会",
        place="会议室",
        starts_at=at("2026-07-12 10:00"),
        ends_at=at("2026-07-12 11:00"),
        capacity=30,
        announce=False,
    )
    grandma = care.care_resident_add(
        actor=admin,
        house=neighbours["h101"],
        name="王奶奶",
        mobile="13600000001",
        category="elderly_alone",
    )
    [warning] = warnings.weather_warning_schedule(
        actor=supervisor,
        communities=[building_3.community],
        title="台风橙色预警",
        text="关好门窗",
        send_at=at("2026-07-10 18:00"),
    )
    Owner.objects.filter(name="张三").update(id_number=BORN_0710)
    return SimpleNamespace(
        community=building_3.community,
        building=building_3,
        visit=visit,
        forum=forum,
        grandma=grandma,
        warning=warning,
        zhang_san=Owner.objects.get(name="张三"),
    )


C = "?community={w.community.id}"
VIEW_ALL = {"agent", "supervisor", "technician", "guard", "admin"}
DESK = {"agent", "supervisor", "admin"}
SUPERVISORS = {"supervisor", "admin"}
PAGES = {
    "visit_plans": ("/community/owner-visits/" + C, VIEW_ALL),
    "visit_plans_overdue": ("/community/owner-visits/" + C + "&show=overdue", VIEW_ALL),
    "visit_plan_edit": (
        "/community/owner-visits/{w.community.id}/plan/?building={w.building.id}",
        DESK,
    ),
    "visit_records": ("/community/owner-visits/records/" + C, VIEW_ALL),
    "visit_months": ("/community/owner-visits/months/" + C + "&year=2026", VIEW_ALL),
    "forum": ("/community/activities/{w.forum.id}/", VIEW_ALL),
    "warnings": ("/community/warnings/" + C, VIEW_ALL),
    "warning_new": ("/community/warnings/new/", SUPERVISORS),
    "greetings": ("/community/greetings/" + C, DESK),
    "greeting_people": ("/community/greetings/people/" + C + "&q=张", DESK),
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_page_for_role(outreach, personas, page, role):
    path, allowed = PAGES[page]
    response = client_for(personas[role]).get(path.format(w=outreach))
    if role == "other_agent":
        # An agent of B: A's records are not found, a page agents may not use is refused.
        expected = 404 if "agent" in allowed else 403
    else:
        expected = 200 if role in allowed else 403
    assert response.status_code == expected, response.content[:300]


def test_the_pages_show_what_was_recorded(outreach, supervisor):
    client = client_for(supervisor)
    html = client.get(f"/community/owner-visits/?community={outreach.community.id}").content
    html = html.decode()
    assert "3号楼" in html and "2026-08-08" in html  # 9 July + 30 days
    html = client.get(
        f"/community/owner-visits/records/?community={outreach.community.id}"
    ).content.decode()
    assert "增加路灯" in html and outreach.visit.request.number in html
    html = client.get(
        f"/community/owner-visits/months/?community={outreach.community.id}&year=2026"
    ).content.decode()
    assert 'data-testid="total-visits">1<' in html
    html = client.get("/community/warnings/").content.decode()
    assert "台风橙色预警" in html and "王奶奶" in html and "待发送" in html
    assert 'data-testid="warning-cancel"' in html
    html = client.get(f"/community/activities/{outreach.forum.id}/").content.decode()
    assert 'data-testid="opinion-form"' in html


def test_every_community_page_links_the_new_pages(outreach, agent):
    html = client_for(agent).get("/community/incidents/").content.decode()
    for testid in ("subnav-warnings", "subnav-owner-visits", "subnav-greetings"):
        assert f'data-testid="{testid}"' in html


def test_a_technician_sees_no_greetings_link(outreach, personas):
    html = client_for(personas["technician"]).get("/community/incidents/").content.decode()
    assert "subnav-greetings" not in html


# --- owner visits -------------------------------------------------------------------------------


def test_an_agent_records_a_visit_whose_opinion_becomes_a_suggestion(outreach, agent, neighbours):
    response = client_for(agent).post(
        f"/community/owner-visits/records/?community={outreach.community.id}",
        {
            "community": outreach.community.id,
            "house_code": neighbours["h101"].code,
            "visited_on": "2026-07-10",
            "opinions": "希望增加快递柜",
        },
    )
    assert response.status_code == 302
    visit = OwnerVisit.objects.get(house=neighbours["h101"])
    assert visit.request.kind.code == "suggestion" and "希望增加快递柜" in visit.request.description


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"house_code": "9-9-999"}, "house_code"),
        ({"house_code": ""}, "house_code"),
        ({"visited_on": "2026-07-11"}, "visited_on"),  # tomorrow
        ({"visited_on": "2026-01-01"}, "visited_on"),  # more than 60 days ago
        ({"visited_on": "soon"}, "visited_on"),
        ({"opinions": "x" * 2001}, "opinions"),
        ({"community": "999999"}, "community"),
    ],
)
def test_a_bad_visit_names_the_field_and_writes_nothing(outreach, agent, house_a, changes, field):
    before = community_snapshot()
    body = {
        "community": outreach.community.id,
        "house_code": house_a.code,
        "visited_on": "2026-07-10",
        "opinions": "意见",
        **changes,
    }
    response = client_for(agent).post(
        f"/community/owner-visits/records/?community={outreach.community.id}", body
    )
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert community_snapshot() == before


def test_a_technician_cannot_record_a_visit(outreach, personas, house_a):
    before = community_snapshot()
    response = client_for(personas["technician"]).post(
        f"/community/owner-visits/records/?community={outreach.community.id}",
        {
            "community": outreach.community.id,
            "house_code": house_a.code,
            "visited_on": "2026-07-10",
        },
    )
    assert response.status_code == 403
    assert community_snapshot() == before


def test_a_plan_is_changed_from_the_page(outreach, agent):
    path = f"/community/owner-visits/{outreach.community.id}/plan/?building={outreach.building.id}"
    response = client_for(agent).post(path, {"building": outreach.building.id, "every_days": 45})
    assert response.status_code == 302
    assert OwnerVisitPlan.objects.get(building=outreach.building).every_days == 45


@pytest.mark.parametrize(
    ("body", "field"),
    [({"every_days": "0"}, "every_days"), ({"every_days": "abc"}, "every_days"), ({}, "building")],
)
def test_a_bad_plan_names_the_field_and_writes_nothing(outreach, agent, body, field):
    before = community_snapshot()
    data = {"building": outreach.building.id, **body} if field != "building" else {"every_days": 9}
    response = client_for(agent).post(
        f"/community/owner-visits/{outreach.community.id}/plan/", data
    )
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert community_snapshot() == before


def test_another_communitys_building_is_not_found(outreach, agent, house_b):
    path = f"/community/owner-visits/{house_b.community_id}/plan/"
    assert client_for(agent).get(path).status_code == 404
    path = f"/community/owner-visits/{outreach.community.id}/plan/?building={house_b.building_id}"
    assert client_for(agent).get(path).status_code == 404


# --- forum opinions ------------------------------------------------------------------------------


def test_an_opinion_at_a_forum_becomes_a_suggestion(outreach, agent, house_a):
    response = client_for(agent).post(
        f"/community/activities/{outreach.forum.id}/opinions/",
        {"house_code": house_a.code, "text": "停车位不够"},
    )
    assert response.status_code == 302
    opinion = ForumOpinion.objects.get()
    assert opinion.request.kind.code == "suggestion"
    html = client_for(agent).get(f"/community/activities/{outreach.forum.id}/").content.decode()
    assert "停车位不够" in html and opinion.request.number in html


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"house_code": "9-9-999", "text": "x"}, "house_code"),
        ({"house_code": "", "text": "x"}, "house_code"),
        ({"house_code": "HOUSE", "text": ""}, "text"),
        ({"house_code": "HOUSE", "text": "x" * 2001}, "text"),
    ],
)
def test_a_bad_opinion_names_the_field_and_writes_nothing(outreach, agent, house_a, body, field):
    if body["house_code"] == "HOUSE":
        body = {**body, "house_code": house_a.code}
    before = community_snapshot()
    response = client_for(agent).post(f"/community/activities/{outreach.forum.id}/opinions/", body)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert community_snapshot() == before


def test_opinions_are_refused_to_roles_without_the_right_and_to_other_communities(
    outreach, personas, house_a
):
    before = community_snapshot()
    for role, status in (("technician", 403), ("guard", 403), ("other_agent", 404)):
        response = client_for(personas[role]).post(
            f"/community/activities/{outreach.forum.id}/opinions/",
            {"house_code": house_a.code, "text": "x"},
        )
        assert response.status_code == status, role
    assert community_snapshot() == before


# --- severe-weather warnings ---------------------------------------------------------------------


def test_a_supervisor_schedules_a_warning_from_the_page(outreach, supervisor):
    response = client_for(supervisor).post(
        "/community/warnings/new/",
        {
            "communities": [outreach.community.id],
            "title": "暴雨红色预警",
            "text": "请勿外出",
            "send_at": "2026-07-11T07:00",
        },
    )
    assert response.status_code == 302
    warning = WeatherWarning.objects.get(title="暴雨红色预警")
    assert warning.send_at == at("2026-07-11 07:00") and warning.care_calls == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"communities": []}, "communities"),
        ({"communities": ["999999"]}, "communities"),
        ({"title": ""}, "title"),
        ({"title": "x" * 61}, "title"),
        ({"text": ""}, "text"),
        ({"send_at": ""}, "send_at"),
        ({"send_at": "tomorrow"}, "send_at"),
        ({"send_at": "2026-07-18T16:00"}, "send_at"),  # more than 7 days ahead
        ({"send_at": "2026-07-09T09:00"}, "send_at"),  # in the past
    ],
)
def test_a_bad_warning_names_the_field_and_writes_nothing(outreach, supervisor, changes, field):
    before = community_snapshot()
    body = {
        "communities": [outreach.community.id],
        "title": "暴雨",
        "text": "注意",
        "send_at": "2026-07-11T07:00",
        **changes,
    }
    response = client_for(supervisor).post("/community/warnings/new/", body)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert community_snapshot() == before


def test_another_communitys_warning_cannot_be_scheduled_or_cancelled(
    outreach, other_supervisor, house_b
):
    before = community_snapshot()
    client = client_for(other_supervisor)
    response = client.post(
        "/community/warnings/new/",
        {
            "communities": [outreach.community.id],
            "title": "x",
            "text": "y",
            "send_at": "2026-07-11T07:00",
        },
    )
    assert response.status_code == 400  # A is not among B's supervisor's choices
    assert client.post(f"/community/warnings/{outreach.warning.id}/cancel/").status_code == 404
    assert client.get(f"/community/warnings/?community={outreach.community.id}").status_code == 404
    assert community_snapshot() == before


def test_cancelling_a_warning(outreach, supervisor, personas):
    before = community_snapshot()
    path = f"/community/warnings/{outreach.warning.id}/cancel/"
    assert client_for(personas["agent"]).post(path).status_code == 403
    assert community_snapshot() == before
    assert client_for(supervisor).post(path).status_code == 302
    outreach.warning.refresh_from_db()
    assert outreach.warning.status == "cancelled"
    html = client_for(supervisor).get("/community/warnings/").content.decode()
    assert "已取消" in html and 'data-testid="warning-cancel"' not in html


def test_a_care_call_is_recorded_from_the_warnings_page(outreach, agent):
    call = outreach.grandma.calls.get()
    response = client_for(agent).post(
        f"/community/care/calls/{call.id}/done/", {"outcome": "已提醒", "next": "warnings"}
    )
    assert response.status_code == 302 and response["Location"] == "/community/warnings/"
    call.refresh_from_db()
    assert call.done_at is not None and call.outcome == "已提醒"


# --- birthday greetings --------------------------------------------------------------------------


def test_the_greetings_page_shows_sent_and_held_messages(outreach, supervisor, owner_a, clock):
    clock.move_to(at("2026-07-10 09:00"))
    assert greetings.birthday_greetings_send() == 1
    html = (
        client_for(supervisor)
        .get(f"/community/greetings/?community={outreach.community.id}")
        .content.decode()
    )
    assert "2026-07-10" in html and "138****5678" in html
    assert "生日快乐" in html and 'data-testid="greeted-person">张三 · 业主' in html


def test_quiet_hours_show_as_held(outreach, supervisor, owner_a, clock):
    from propdesk.core.models import OutboxMessage

    clock.move_to(at("2026-07-10 09:00"))
    greetings.birthday_greetings_send()
    OutboxMessage.objects.filter(event="greeting.birthday").update(
        next_attempt_at=at("2026-07-11 08:00")
    )
    html = (
        client_for(supervisor)
        .get(f"/community/greetings/?community={outreach.community.id}")
        .content.decode()
    )
    assert "免打扰" in html and "07-11 08:00" in html


def test_a_supervisor_turns_greetings_off_and_nobody_is_greeted(
    outreach, supervisor, agent, owner_a, clock
):
    path = f"/community/greetings/setting/?community={outreach.community.id}"
    before = community_snapshot()
    assert client_for(agent).post(path, {"enabled": "0"}).status_code == 403
    response = client_for(supervisor).post(path, {"enabled": "maybe"})
    assert response.status_code == 302
    assert community_snapshot() == before
    assert client_for(supervisor).post(path, {"enabled": "0"}).status_code == 302
    assert GreetingSetting.objects.get(community=outreach.community).enabled is False
    clock.move_to(at("2026-07-10 09:00"))
    assert greetings.birthday_greetings_send() == 0
    assert client_for(supervisor).post(path, {"enabled": "1"}).status_code == 302
    assert greetings.birthday_greetings_send() == 1


def test_the_setting_of_another_community_is_not_found(outreach, other_supervisor):
    before = community_snapshot()
    response = client_for(other_supervisor).post(
        f"/community/greetings/setting/?community={outreach.community.id}", {"enabled": "0"}
    )
    assert response.status_code == 404
    assert community_snapshot() == before


def test_an_agent_finds_a_person_and_stops_their_greetings(outreach, agent):
    client = client_for(agent)
    html = client.get(
        f"/community/greetings/people/?community={outreach.community.id}&q=张三"
    ).content.decode()
    assert "张三" in html and 'data-testid="stop-greeting"' in html
    response = client.post(
        "/community/greetings/opt-out/",
        {"kind": "owner", "id": outreach.zhang_san.id, "opted_out": "1", "q": "张三"},
    )
    assert response.status_code == 302
    assert GreetingOptOut.objects.filter(owner=outreach.zhang_san).exists()
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="greet-again"' in html


def test_opting_out_a_person_without_an_id_number_writes_nothing(outreach, agent, neighbours):
    before = community_snapshot()
    li_si = Owner.objects.get(name="李四")
    response = client_for(agent).post(
        "/community/greetings/opt-out/", {"kind": "owner", "id": li_si.id, "opted_out": "1"}
    )
    assert response.status_code == 302
    assert community_snapshot() == before


def test_opt_outs_are_refused_to_other_roles_and_communities(outreach, personas, house_b):
    before = community_snapshot()
    body = {"kind": "owner", "id": outreach.zhang_san.id, "opted_out": "1"}
    assert (
        client_for(personas["technician"]).post("/community/greetings/opt-out/", body).status_code
        == 403
    )
    assert (
        client_for(personas["other_agent"]).post("/community/greetings/opt-out/", body).status_code
        == 404
    )
    bad = client_for(personas["agent"]).post(
        "/community/greetings/opt-out/", {**body, "kind": "house"}
    )
    assert bad.status_code == 404
    assert community_snapshot() == before


def test_no_request_is_written_by_a_page_view(outreach, supervisor):
    count = ServiceRequest.objects.count()
    for path, _allowed in PAGES.values():
        client_for(supervisor).get(path.format(w=outreach))
    assert ServiceRequest.objects.count() == count


def test_the_overdue_list_shows_late_buildings_only(outreach, agent, neighbours):
    OwnerVisitPlan.objects.filter(building=outreach.building).update(
        next_due_on=datetime.date(2026, 7, 1)
    )
    visits.visit_plan_set(actor=agent, building=neighbours["building_4"], every_days=30)
    client = client_for(agent)
    html = client.get(
        f"/community/owner-visits/?community={outreach.community.id}&show=overdue"
    ).content.decode()
    assert "3号楼" in html and "4号楼" not in html and "2026-07-01" in html
    assert 'data-testid="overdue-count"' in html


def test_an_agent_sees_warnings_and_calls_but_cannot_compose(outreach, agent):
    html = client_for(agent).get("/community/warnings/").content.decode()
    assert "台风橙色预警" in html and 'data-testid="call-done"' in html
    assert 'data-testid="warning-new"' not in html and 'data-testid="warning-cancel"' not in html
