import pytest
from django.urls import reverse


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_login_page_renders_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_owner_accounts_cannot_open_the_console(client, personas):
    client.force_login(personas["owner"])
    assert client.get(reverse("registry_search")).status_code == 403


@pytest.mark.parametrize("name", ["registry_search", "community_list", "house_list", "owner_list"])
def test_console_pages_render(agent_client, zhang_san, name):
    response = agent_client.get(reverse(name))
    assert response.status_code == 200


def test_search_page_shows_hits(agent_client, zhang_san):
    body = agent_client.get(reverse("home"), {"q": "zs"}).content.decode()
    assert "张三" in body and "3-2-1502" in body and "138****5678" in body
    assert "13812345678" not in body


def test_search_partial_for_htmx(agent_client, zhang_san):
    response = agent_client.get(reverse("home"), {"q": "zs"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "张三" in body


def test_house_detail_masks_personal_data(agent_client, zhang_san, house_a):
    body = agent_client.get(reverse("house_detail", args=[house_a.id])).content.decode()
    assert "138****5678" in body and "1101**********002X" in body
    assert "13812345678" not in body and "11010519491231002X" not in body


def test_house_detail_of_another_community_is_404(client, personas, house_a):
    client.force_login(personas["other_agent"])
    assert client.get(reverse("house_detail", args=[house_a.id])).status_code == 404


def test_owner_detail_renders(agent_client, zhang_san):
    body = agent_client.get(reverse("owner_detail", args=[zhang_san.id])).content.decode()
    assert "3-2-1502" in body
