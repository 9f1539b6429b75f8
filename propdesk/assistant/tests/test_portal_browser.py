"""Browser journey on a phone-sized screen: an owner writes that water is pouring in; the report
form pre-selects the category and ticks the emergency box (the hotline comes up); then the owner
asks a question, is answered and hands it to a person."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from propdesk.tickets.models import ServiceRequest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name):
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    page.screenshot(path=str(path / f"assistant-{name}.png"), full_page=True)


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_owner_report_and_question(page, live_server, desk):
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, desk.owner_user)
    page.goto(f"{live_server.url}/m/requests/new/")
    form = page.get_by_test_id("request-form")
    form.locator("[name=description]").press_sequentially(
        "卫生间水管爆了，水喷得到处都是关不住，地板已经泡了", delay=15
    )
    # The first suggestion of a process loads the model (slow on a busy machine).
    expect(page.get_by_test_id("triage-suggestion")).to_have_attribute(
        "data-urgency", "emergency", timeout=20_000
    )
    expect(form.locator("[name=category]")).to_have_value("repair_water")
    expect(form.locator("[name=emergency]")).to_be_checked()
    expect(page.get_by_test_id("hotline")).to_have_attribute("data-emergency", "yes")
    _shot(page, "portal-report")

    page.goto(f"{live_server.url}/assistant/ask/")
    page.locator("#faq-question").fill("装修押金要交多少钱")
    page.get_by_test_id("faq-submit").click()
    expect(page.get_by_test_id("faq-answer")).to_have_attribute("data-key", "decoration-deposit")
    _shot(page, "portal-ask")
    page.get_by_test_id("faq-ask-person").click()
    expect(page.get_by_test_id("message")).to_be_visible()
    assert ServiceRequest.objects.get().kind.code == "inquiry"
