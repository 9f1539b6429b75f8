"""Console pages of incidents, plans and the duty roster: rendered per role, refused to the
others, another community's records 404; the intake alert and the portal banner."""

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.community.models import Incident, IncidentLink
from propdesk.community.tests.conftest import community_snapshot


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = {
    "list": lambda w: "/community/incidents/",
    "home": lambda w: "/community/",
    "detail": lambda w: f"/community/incidents/{w.incident.id}/",
    "report": lambda w: f"/community/incidents/{w.incident.id}/report.pdf",
    "plans": lambda w: f"/community/plans/?community={w.community.id}&kind=power_cut",
    "duty": lambda w: f"/community/duty/?community={w.community.id}",
}
VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize(
    "role",
    ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"],
)
def test_page_for_role(world, personas, page, role):
    response = client_for(personas[role]).get(PAGES[page](world))
    if role in VIEWERS:
        assert response.status_code == 200, response.content[:300]
    elif role == "other_agent":
        assert (
            response.status_code in (200, 404)
            if page in ("list", "home")
            else response.status_code == 404
        )
    else:
        assert response.status_code == 403


def test_the_detail_page_shows_the_plan_broadcasts_and_timeline(world, supervisor):
    html = client_for(supervisor).get(f"/community/incidents/{world.incident.id}/").content.decode()
    assert "联系电力公司，确认停电原因及预计恢复时间" in html
    assert "已通知4人" in html
    assert "3号楼" in html and "关闭事件" in html
    assert 'data-testid="broadcast-form"' in html


def test_a_technician_sees_no_broadcast_or_close(world, personas):
    html = (
        client_for(personas["technician"])
        .get(f"/community/incidents/{world.incident.id}/")
        .content.decode()
    )
    assert 'data-testid="broadcast-form"' not in html and "关闭事件" not in html
    assert 'data-testid="task-done"' in html


def test_opening_from_the_page(staff, neighbours, building_3, django_capture_on_commit_callbacks):
    client = client_for(staff["agent"])
    form = client.get(f"/community/incidents/new/?community={building_3.community_id}")
    assert form.status_code == 200 and "启动突发事件" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/community/incidents/new/?community={building_3.community_id}",
            {
                "kind": "power_cut",
                "severity": "major",
                "place": "3号楼",
                "buildings": [building_3.id],
                "expected_restore_at": "2026-07-10T19:00",
            },
        )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{incident.id}/")
    assert incident.broadcasts.get().recipients == 4


def test_opening_with_bad_input_shows_the_error_and_writes_nothing(staff, building_3):
    client = client_for(staff["agent"])
    before = community_snapshot()
    response = client.post(
        f"/community/incidents/new/?community={building_3.community_id}",
        {"kind": "power_cut", "severity": "major", "place": "3号楼"},
    )
    assert response.status_code == 400
    assert 'data-field-error="buildings"' in response.content.decode()
    assert community_snapshot() == before


def test_opening_in_another_community_is_not_found(staff, house_b):
    response = client_for(staff["agent"]).get(
        f"/community/incidents/new/?community={house_b.community_id}"
    )
    assert response.status_code == 404


def test_intake_shows_the_incident_and_links_the_call(world, staff):
    client = client_for(staff["agent"])
    hint = client.get(
        reverse("request_duplicates"), {"house": world.house.id, "category": ""}
    ).content.decode()
    assert 'data-testid="house-alert-incident"' in hint and world.incident.number in hint
    response = client.post(
        f"/community/incidents/{world.incident.id}/link/?house={world.house.id}",
        {"note": "家里停电", "back": "intake"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("request_intake")
    link = IncidentLink.objects.get(incident=world.incident, house=world.house)
    assert link.note == "家里停电"
    world.incident.refresh_from_db()
    assert world.incident.linked_count == 1


def test_intake_shows_nothing_for_a_house_outside_the_scope(world, staff, neighbours):
    hint = (
        client_for(staff["agent"])
        .get(reverse("request_duplicates"), {"house": neighbours["h401"].id})
        .content.decode()
    )
    assert "house-alert-incident" not in hint


def test_an_emergency_request_offers_to_open_an_incident(world, staff, house_b, admin):
    html = client_for(admin).get(f"/requests/{world.request_b.id}/").content.decode()
    # B already has an incident covering the whole community: the request offers the link.
    assert "extra-link-incident_link" in html
    html = client_for(staff["agent"]).get(f"/requests/{world.request.id}/").content.decode()
    assert "extra-link-incident_link" in html


def test_the_portal_banner_shows_on_the_owners_home(world, owner_a):
    html = client_for(owner_a).get("/m/").content.decode()
    assert 'data-testid="incident-banner"' in html
    assert "停电" in html and "3-2-1502" in html and "07-10 19:00" in html


def test_no_banner_for_an_owner_outside_the_scope(world, neighbours, admin):
    from propdesk.community.tests.conftest import add_owner

    user = add_owner(admin, neighbours["h401"], "孙八", "13700000009", username="sunba")
    html = client_for(user).get("/m/").content.decode()
    assert "incident-banner" not in html


def test_a_drill_shows_no_banner(world, owner_a, supervisor):
    Incident.objects.filter(pk=world.incident.pk).update(is_drill=True)
    html = client_for(owner_a).get("/m/").content.decode()
    assert "incident-banner" not in html


def test_plan_editing_from_the_page(world, supervisor, departments):
    client = client_for(supervisor)
    path = f"/community/plans/?community={world.community.id}&kind=fire"
    response = client.post(
        path,
        {
            "title": ["拨打119", "", "疏散"],
            "department": [str(departments["security"].id), "", ""],
            "due_minutes": ["1", "15", "abc"],
        },
    )
    assert response.status_code == 400  # "abc" minutes
    response = client.post(
        path,
        {
            "title": ["拨打119", "疏散"],
            "department": [str(departments["security"].id), ""],
            "due_minutes": ["1", "10"],
        },
    )
    assert response.status_code == 302
    html = client.get(path).content.decode()
    assert "拨打119" in html and "本小区自己的预案" in html


def test_an_agent_cannot_edit_plans(world, agent):
    before = community_snapshot()
    response = client_for(agent).post(
        f"/community/plans/?community={world.community.id}&kind=fire",
        {"title": ["x"], "department": [""], "due_minutes": ["1"]},
    )
    assert response.status_code == 403
    assert community_snapshot() == before


def test_closing_from_the_page(world, supervisor):
    client = client_for(supervisor)
    path = f"/community/incidents/{world.incident.id}/close/"
    assert client.get(path).status_code == 200
    assert client.post(path, {"cause": "", "measures": ""}).status_code == 400
    response = client.post(
        path, {"cause": "线路故障", "measures": "抢修", "prevention": "安装备用发电机"}
    )
    assert response.status_code == 302
    html = client.get(f"/community/incidents/{world.incident.id}/").content.decode()
    assert "安装备用发电机" in html and "转为工单" in html
