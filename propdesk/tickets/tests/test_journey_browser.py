"""Browser journey in headless Debian Chromium (DOMAIN.md §2 closed loop): the agent takes a call,
dispatches it, the technician resolves it with a photo, the agent records a 2/5 follow-up so the
request reopens, it is resolved again and closed on a 5/5 — and what the owner is told is right
at every step."""

import pytest
from playwright.sync_api import expect

from propdesk.accounts.models import Department, Role
from propdesk.conftest import make_user
from propdesk.tickets.models import ServiceRequest
from propdesk.tickets.owner_text import in_owner_language, owner_status_text
from propdesk.tickets.tests.conftest import png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    if username == "owner":  # an owner signing in at the console lands on the owner portal
        expect(page.get_by_role("link", name="报事报修")).to_be_visible()
    else:
        expect(page.get_by_test_id("whoami")).to_be_visible()


def _owner_text(request_id: int) -> str:
    request = ServiceRequest.objects.select_related("department").get(pk=request_id)
    return in_owner_language(owner_status_text, request)


def _expect_step(page, request_id: int, status: str) -> None:
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", status)
    assert ServiceRequest.objects.get(pk=request_id).status == status
    expect(page.get_by_test_id("owner-status")).to_have_text(_owner_text(request_id))


@pytest.fixture
def staffed(personas, zhang_san, community_a):
    engineering, _ = Department.objects.get_or_create(
        code="engineering", defaults={"name": "工程部"}
    )
    service, _ = Department.objects.get_or_create(
        code="customer_service", defaults={"name": "客服部"}
    )
    for name, department in (("agent", service), ("technician", engineering)):
        personas[name].department = department
        personas[name].save(update_fields=["department"])
    zhang_san.user = personas["owner"]
    zhang_san.save(update_fields=["user"])
    make_user("tech_b", Role.TECHNICIAN, community_a)
    return personas


def test_a_call_goes_round_the_closed_loop(page, live_server, staffed):
    technician = staffed["technician"]

    # The agent takes the call: the mobile number brings up the caller's house.
    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/requests/new/")
    page.get_by_test_id("caller-search").fill("13812345678")
    card = page.get_by_test_id("caller-card")
    expect(card).to_contain_text("3-2-1502")
    expect(card).to_contain_text("138****5678")
    card.get_by_test_id("pick-house").first.click()
    page.screenshot(path=str(_screenshots() / "request-intake.png"))
    expect(page.get_by_test_id("selected-house")).to_contain_text("3-2-1502")
    form = page.get_by_test_id("intake-form")
    form.locator("[name=kind]").select_option("repair")
    form.locator("[name=category]").select_option("repair_water")
    form.locator("[name=description]").fill("主卫地漏反水，楼下天花板有水渍")
    page.get_by_test_id("save-request").click()

    number = page.get_by_test_id("request-number")
    expect(number).to_be_visible()
    request = ServiceRequest.objects.get()
    expect(number).to_have_text(request.number)
    assert request.caller_name == "张三"
    _expect_step(page, request.id, "new")
    expect(page.get_by_test_id("owner-status")).to_contain_text(request.number)

    # …and dispatches it to the technician.
    page.get_by_test_id("dispatch-form").locator("[name=assignee]").select_option(
        str(technician.id)
    )
    page.get_by_test_id("dispatch-form").get_by_test_id("step-dispatch").click()
    _expect_step(page, request.id, "dispatched")
    expect(page.get_by_test_id("owner-status")).to_contain_text("工程部")
    workbench = page.url

    # The technician starts on site and resolves it with a photo.
    _log_in(page, live_server, "technician")
    page.goto(workbench)
    page.get_by_test_id("step-start").click()
    _expect_step(page, request.id, "in_progress")
    resolve = page.get_by_test_id("resolve-form")
    resolve.get_by_test_id("note-resolve").fill("更换地漏芯并重做密封")
    resolve.locator("input[name=photos]").set_input_files(
        files=[{"name": "done.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    resolve.get_by_test_id("step-resolve").click()
    _expect_step(page, request.id, "resolved")
    expect(page.get_by_test_id("timeline").get_by_test_id("photo")).to_have_count(1)

    # The agent calls back: 2 out of 5, so the request reopens.
    _log_in(page, live_server, "agent")
    page.goto(workbench)
    follow_up = page.get_by_test_id("follow-up-form")
    follow_up.get_by_test_id("satisfaction-2").click()
    follow_up.get_by_test_id("follow-up-comment").fill("楼下还有渗水")
    follow_up.get_by_test_id("record-follow-up").click()
    _expect_step(page, request.id, "dispatched")
    assert ServiceRequest.objects.get(pk=request.id).reopen_count == 1

    # Resolved again by the technician…
    _log_in(page, live_server, "technician")
    page.goto(workbench)
    page.get_by_test_id("step-start").click()
    _expect_step(page, request.id, "in_progress")
    page.get_by_test_id("resolve-form").get_by_test_id("note-resolve").fill("重做防水层")
    page.get_by_test_id("resolve-form").get_by_test_id("step-resolve").click()
    _expect_step(page, request.id, "resolved")

    # …and closed on a 5/5 follow-up.
    _log_in(page, live_server, "agent")
    page.goto(workbench)
    page.get_by_test_id("follow-up-form").get_by_test_id("satisfaction-5").click()
    page.get_by_test_id("follow-up-form").get_by_test_id("record-follow-up").click()
    _expect_step(page, request.id, "closed")
    page.screenshot(path=str(_screenshots() / "request-workbench.png"), full_page=True)
    actions = [e.get_attribute("data-action") for e in page.get_by_test_id("timeline-event").all()]
    assert actions == [
        "created",
        "dispatched",
        "started",
        "resolved",
        "follow_up",
        "follow_up",
        "reopened",
        "started",
        "resolved",
        "follow_up",
        "follow_up",
        "closed",
    ]

    # The owner sees the outcome in plain words.
    _log_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/m/requests/{request.id}/")
    expect(page.get_by_test_id("owner-status")).to_have_text(_owner_text(request.id))
    page.screenshot(path=str(_screenshots() / "request-owner-view.png"))


def _screenshots():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path


def test_the_supervisor_exports_the_month_and_downloads_it(page, live_server, staffed, house_a):
    import openpyxl
    from django.utils import timezone

    from propdesk.tickets.services import request_create

    filed = request_create(
        actor=staffed["agent"],
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="厨房水管漏水",
        house=house_a,
    )
    _log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/requests/dashboard/")
    page.get_by_test_id("dashboard-export").click()

    # The worker writes the file; the page follows its progress until it is ready.
    expect(page.get_by_test_id("export-progress")).to_have_attribute("data-status", "done")
    page.screenshot(path=str(_screenshots() / "request-export.png"))
    with page.expect_download() as caught:
        page.get_by_test_id("export-download").click()
    download = caught.value
    month = timezone.localtime().strftime("%Y-%m")
    assert download.suggested_filename == f"requests-{month}.xlsx"
    with open(download.path(), "rb") as handle:  # the download's temporary name has no suffix
        book = openpyxl.load_workbook(handle)
    numbers = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert numbers == [filed.number]

    page.get_by_test_id("nav-exports").click()
    expect(page.get_by_test_id("export-list")).to_contain_text(month)
