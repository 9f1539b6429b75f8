"""Browser journey in headless Debian Chromium: an agent types a message about water pouring
through the ceiling; the intake form suggests repair_water / emergency as they type; the agent
accepts; the request starts on the 30-minute on-site clock."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from propdesk.accounts.models import Department
from propdesk.assistant import training
from propdesk.tickets.models import ServiceRequest, SlaClock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _screenshots() -> Path:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def staffed(personas, zhang_san):
    service, _ = Department.objects.get_or_create(
        code="customer_service", defaults={"name": "客服部"}
    )
    Department.objects.get_or_create(code="engineering", defaults={"name": "工程部"})
    personas["agent"].department = service
    personas["agent"].save(update_fields=["department"])
    # The live server runs in this process: load the model here (make setup has built it; a
    # checkout whose labels changed since builds it now), so the page waits for no training.
    training.current()
    return personas


def test_water_through_the_ceiling_is_suggested_as_an_emergency(page, live_server, staffed):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "pw-agent")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_visible()

    page.goto(f"{live_server.url}/requests/new/")
    page.get_by_test_id("caller-search").fill("13812345678")
    page.get_by_test_id("caller-card").get_by_test_id("pick-house").first.click()
    form = page.get_by_test_id("intake-form")
    form.locator("[name=description]").press_sequentially(
        "楼上水管爆了，水从天花板往下流，客厅已经淹了，请马上派人来", delay=15
    )
    suggestion = page.get_by_test_id("triage-suggestion")
    # The first suggestion of a process loads the model and the word segmenter (slow on a busy
    # machine); the ones after it take milliseconds.
    expect(suggestion).to_have_attribute("data-category", "repair_water", timeout=20_000)
    expect(suggestion).to_have_attribute("data-urgency", "emergency")
    expect(page.get_by_test_id("triage-emergency")).to_be_visible()
    page.screenshot(path=str(_screenshots() / "triage-suggestion.png"), full_page=True)

    # A new call starts with no kind chosen; the suggestion fills it in.
    expect(form.locator("[name=kind]")).to_have_value("")
    page.get_by_test_id("triage-accept").click()
    expect(form.locator("[name=category]")).to_have_value("repair_water")
    expect(form.locator("[name=urgency]")).to_have_value("emergency")
    expect(form.locator("[name=kind]")).to_have_value(suggestion.get_attribute("data-kind"))
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-number")).to_be_visible()

    request = ServiceRequest.objects.select_related("category", "urgency").get()
    assert request.category.code == "repair_water"
    assert request.urgency.code == "emergency"
    on_site = SlaClock.objects.get(request=request, target="on_site")
    assert on_site.amount_seconds == 30 * 60
