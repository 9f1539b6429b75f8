"""Browser journeys of a company whose communities reuse house codes, and of each role's home:

- every role lands on its daily work after signing in, and an owner at the console is sent to
  the portal with the reason;
- a move-in started by the code 3-2-1502, which 甲小区 and 乙小区 both use, offers both houses
  and starts on the one chosen;
- the user's own community's house is offered first, and a code never picks a house alone;
- a release pass for 乙小区's 3-2-1502 names 乙小区 and its owner on its page, its PDF and the
  gate page.
"""

import datetime
import re
import subprocess

import pytest
from playwright.sync_api import expect

from propdesk.custody.models import ReleasePass
from propdesk.estates import services
from propdesk.frontdesk.models import MoveIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def twin(community_b, admin):
    """3-2-1502 in 乙小区 too: vacant, owned by 李四."""
    building = services.building_create(actor=admin, community=community_b, number="3")
    house = services.house_create(
        actor=admin,
        building=building,
        unit_number="2",
        number="1502",
        floor=15,
        area_m2="90",
        status="vacant",
        delivered_on=datetime.date(2021, 6, 30),
    )
    owner = services.owner_create(
        actor=admin, community=community_b, name="李四", mobile="13900001111"
    )
    services.ownership_add(
        actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    return house, owner


def _log_in(page, live_server, username, start="/accounts/login/"):
    page.set_default_timeout(90_000)  # a loaded machine serves the first pages slowly
    page.goto(f"{live_server.url}{start}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_load_state()


# role → (the page it lands on, a test id of the daily work shown there)
HOMES = {
    "agent": ("/requests/", ["new-request", "queue-tabs"]),  # the intake and the queues
    "technician": ("/requests/", ["queue-tabs"]),  # their own work: the "mine" queue
    "supervisor": ("/requests/dashboard/", ["dashboard-figures"]),
    "cashier": ("/billing/", ["desk-search"]),
    "guard": ("/custody/gate/", ["gate-code"]),
    "admin": ("/", ["whoami"]),
}


def test_each_role_lands_on_its_work(browser, live_server, personas):
    for username, (path, test_ids) in HOMES.items():
        context = browser.new_context()
        page = context.new_page()
        _log_in(page, live_server, username, start="/")  # the address a person types
        assert page.url == f"{live_server.url}{path}", username
        expect(page.get_by_test_id("whoami")).to_be_attached()
        for test_id in test_ids:
            expect(page.get_by_test_id(test_id).first).to_be_visible()
        if username == "technician":
            expect(page.get_by_test_id("queue-mine")).to_have_class(re.compile("active"))
        page.screenshot(path=f"test-results/home-{username}.png")
        context.close()
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, live_server, "owner", start="/")
    assert page.url == f"{live_server.url}/m/"
    expect(page.get_by_test_id("message").first).to_contain_text(re.compile("员工工作台|staff"))
    page.screenshot(path="test-results/home-owner.png")
    context.close()


def test_the_users_own_community_is_offered_first_and_nothing_is_guessed(
    page, live_server, personas, house_a, zhang_san, twin, community_b
):
    """An administrator whose own community is 乙小区 sees 乙小区's house first; the page still
    asks which house, even though one of them is in the user's own community."""
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    make_user("admin_b", Role.ADMIN, community_b)
    _log_in(page, live_server, "admin_b")
    page.goto(f"{live_server.url}/frontdesk/move-ins/new/")
    page.locator("#id_code").fill("3-2-1502")
    page.get_by_test_id("find-house-submit").click()
    choices = page.get_by_test_id("house-choice")
    expect(choices).to_have_count(2)
    expect(choices.nth(0)).to_contain_text("乙小区")
    expect(choices.nth(1)).to_contain_text("甲小区")
    expect(page.get_by_test_id("move-in-start")).to_have_count(0)
    assert not MoveIn.objects.exists()
    choices.nth(1).click()
    expect(page.locator("h1")).to_contain_text("甲小区")


def test_a_move_in_by_a_shared_code_and_a_release_pass_for_the_second_community(
    page, live_server, personas, house_a, zhang_san, twin, tmp_path
):
    house, li_si = twin
    _log_in(page, live_server, "admin")

    # Move-in: the code offers both communities' houses; the second one is chosen.
    page.goto(f"{live_server.url}/frontdesk/move-ins/new/")
    page.locator("#id_code").fill("3-2-1502")
    page.get_by_test_id("find-house-submit").click()
    choices = page.get_by_test_id("house-choice")
    expect(choices).to_have_count(2)
    expect(choices.nth(0)).to_contain_text("甲小区")
    expect(choices.nth(1)).to_contain_text("乙小区")
    page.screenshot(path="test-results/shared-code-choices.png")
    page.locator('[data-testid=house-choice][data-community="乙小区"]').click()
    expect(page.locator("h1")).to_contain_text("乙小区")
    page.get_by_test_id("move-in-start").click()
    expect(page.get_by_test_id("procedure-community")).to_contain_text("乙小区")
    move_in = MoveIn.objects.get()
    assert (move_in.house_id, move_in.owner_id) == (house.id, li_si.id)

    # Release pass: the same code, the second community's house, its owner as the applicant.
    page.goto(f"{live_server.url}/custody/passes/new/")
    page.locator("#house-code").fill("3-2-1502")
    page.get_by_test_id("find-house").click()
    page.locator('[data-testid=house-choice][data-community="乙小区"]').click()
    expect(page.locator("#id_applicant")).to_contain_text("李四")
    expect(page.locator("#id_applicant")).not_to_contain_text("张三")
    page.locator("#id_items").fill("沙发一张")
    page.get_by_role("button", name=re.compile("保存|Save")).click()
    expect(page.get_by_test_id("pass-community")).to_have_text("乙小区")
    release_pass = ReleasePass.objects.get()
    assert (release_pass.house_id, release_pass.community_id) == (house.id, house.community_id)
    assert release_pass.applicant_name == "李四"
    page.screenshot(path="test-results/pass-second-community.png")

    # The printed pass names 乙小区 and its house, never 甲小区.
    with page.expect_download() as download_info:
        page.get_by_test_id("pass-pdf").click()
    pdf = tmp_path / "pass.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    text = text.decode()
    assert "乙小区" in text and "3-2-1502" in text and "李四" in text
    assert "甲小区" not in text and "张三" not in text

    # Approved, the gate page shows 乙小区's pass.
    page.get_by_test_id("approve-pass").click()
    page.goto(f"{live_server.url}/custody/gate/")
    page.get_by_test_id("gate-code").fill(release_pass.code)
    page.get_by_test_id("gate-check").click()
    expect(page.get_by_test_id("gate-verdict")).to_contain_text(re.compile("放行|may leave"))
    expect(page.get_by_test_id("gate-pass").get_by_test_id("pass-community")).to_have_text("乙小区")
    expect(page.get_by_test_id("gate-pass")).to_contain_text("3-2-1502")
    expect(page.get_by_test_id("gate-pass")).to_contain_text("李四")
    page.screenshot(path="test-results/gate-second-community.png")
