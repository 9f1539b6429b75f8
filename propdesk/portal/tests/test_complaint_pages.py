"""The complaint procedure on the owner's side: agreeing to a proposed solution, and answering
the follow-up SMS link (no sign-in, once, until it expires)."""

import datetime
import re

import pytest
from django.test import Client

from propdesk.core.models import OutboxMessage
from propdesk.portal.services import requests as portal_requests
from propdesk.portal.tests.conftest import portal_client
from propdesk.tickets.models import FollowUpLink, RequestSolution, ServiceRequest
from propdesk.tickets.services import complaints, follow_up_link, transitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(world, departments):
    request = portal_requests.request_submit(
        actor=world.zhang,
        house_id=world.house.pk,
        kind="complaint",
        category="noise",
        description="楼上夜间装修噪音",
    )
    agent = world.personas["agent"]
    agent.department = departments["customer_service"]
    agent.save(update_fields=["department"])
    return transitions.request_dispatch(actor=agent, request=request, assignee=agent)


@pytest.fixture
def solution(world, complaint):
    return complaints.solution_propose(
        actor=world.personas["agent"], request=complaint, text="通知装修方晚八点后停工"
    )


def test_the_owner_sees_and_agrees_to_the_solution(world, complaint, solution):
    client = portal_client(world.zhang)
    page = client.get(f"/m/requests/{complaint.pk}/").content.decode()
    assert "通知装修方晚八点后停工" in page and "同意" in page
    response = client.post(
        f"/m/requests/{complaint.pk}/solutions/{solution.pk}/", {"agreed": "yes", "note": "好的"}
    )
    assert response.status_code == 302
    solution.refresh_from_db()
    assert (solution.state, solution.decided_via, solution.answer_note) == (
        "agreed",
        "portal",
        "好的",
    )
    page = client.get(f"/m/requests/{complaint.pk}/").content.decode()
    assert "您已同意处理方案" in page and 'data-testid="solution-form"' not in page


def test_a_replayed_answer_changes_nothing(world, complaint, solution):
    client = portal_client(world.zhang)
    url = f"/m/requests/{complaint.pk}/solutions/{solution.pk}/"
    client.post(url, {"agreed": "no"})
    response = client.post(url, {"agreed": "yes"}, follow=True)
    assert "已经答复过" in response.content.decode()
    assert RequestSolution.objects.get().state == "declined"


@pytest.mark.parametrize("value", ["", "maybe", "<b>yes</b>", "yes' OR 1=1"])
def test_a_bad_answer_records_nothing(world, complaint, solution, value):
    response = portal_client(world.zhang).post(
        f"/m/requests/{complaint.pk}/solutions/{solution.pk}/", {"agreed": value}, follow=True
    )
    assert response.status_code == 200
    assert RequestSolution.objects.get().state == "proposed"


def test_a_tenant_does_not_answer_for_the_owner(world, complaint, solution):
    page = portal_client(world.wang).get(f"/m/requests/{complaint.pk}/").content.decode()
    assert 'data-testid="solution-form"' not in page
    portal_client(world.wang).post(
        f"/m/requests/{complaint.pk}/solutions/{solution.pk}/", {"agreed": "yes"}
    )
    assert RequestSolution.objects.get().state == "proposed"


def test_another_houses_owner_and_ids_are_not_found(world, complaint, solution, request_b):
    li = portal_client(world.li)
    url = f"/m/requests/{complaint.pk}/solutions/{solution.pk}/"
    assert li.post(url, {"agreed": "yes"}).status_code == 404
    other = f"/m/requests/{request_b.pk}/solutions/{solution.pk}/"
    assert portal_client(world.zhang).post(other, {"agreed": "yes"}).status_code == 404
    assert RequestSolution.objects.get().state == "proposed"


def test_staff_are_sent_to_the_portal_sign_in(world, complaint, solution):
    response = portal_client(world.personas["agent"]).post(
        f"/m/requests/{complaint.pk}/solutions/{solution.pk}/", {"agreed": "yes"}
    )
    assert response.status_code == 302 and "/m/login/" in response["Location"]
    assert RequestSolution.objects.get().state == "proposed"


# --- the SMS follow-up link ---------------------------------------------------------------------


@pytest.fixture
def link_url(world, complaint, solution):
    agent = world.personas["agent"]
    complaints.solution_decide(actor=agent, solution=solution, agreed=True)
    transitions.request_start(actor=agent, request=complaint)
    transitions.request_resolve(actor=agent, request=complaint, note="已协调停工")
    follow_up_link.follow_up_link_send(actor=agent, request=complaint, base_url="http://testserver")
    body = OutboxMessage.objects.filter(event="request.follow_up_link").latest("id").body
    return re.search(r"http://testserver(/m/f/[^/\s]+/)", body).group(1)


def test_the_owner_answers_the_link_without_signing_in(world, complaint, link_url):
    client = Client()
    page = client.get(link_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert complaint.number in text and "非常满意" in text and "楼上夜间装修噪音" not in text
    response = client.post(link_url, {"satisfaction": "5", "comment": "已经安静了"})
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfaction) == ("closed", 5)

    replay = client.post(link_url, {"satisfaction": "1"})
    assert replay.status_code == 409 and "已经评价过" in replay.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert client.get(link_url).status_code == 409


def test_a_bad_score_on_the_link_page_names_the_field(world, complaint, link_url):
    response = Client().post(link_url, {"satisfaction": "9", "comment": "x" * 1001})
    assert response.status_code == 400
    assert 'data-field-error="satisfaction"' in response.content.decode()
    assert FollowUpLink.objects.get().used_at is None


def test_an_expired_link_says_so(world, complaint, link_url, clock):
    clock.shift(datetime.timedelta(hours=73))
    response = Client().post(link_url, {"satisfaction": "5"})
    assert response.status_code == 410 and "已过期" in response.content.decode()
    assert ServiceRequest.objects.get(pk=complaint.pk).status == "follow_up"


@pytest.mark.parametrize("token", ["abc", "' OR 1=1 --", "<script>", "x" * 300])
def test_a_forged_link_is_not_found(world, complaint, link_url, token):
    response = Client().post(f"/m/f/{token}/", {"satisfaction": "5"})
    assert response.status_code == 404 and "链接无效" in response.content.decode()
    assert ServiceRequest.objects.get(pk=complaint.pk).status == "follow_up"


def test_an_altered_link_is_not_found(world, complaint, link_url):
    altered = link_url[:-3] + ("A/" if link_url[-2] != "A" else "B/")
    assert Client().get(altered).status_code == 404
