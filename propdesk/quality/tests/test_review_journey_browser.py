"""Browser journey: a supervisor reviews an answered call from the month's sample, the agent
reads the review and appeals, and another supervisor refuses the appeal."""

import re

import pytest
from playwright.sync_api import expect

from propdesk.quality.models import Review, ReviewState
from propdesk.quality.services import calls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def either(chinese: str, english: str):
    return re.compile(f"{chinese}|{english}")


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_attached()


def test_a_supervisor_reviews_a_call_and_the_agent_appeals(
    page, live_server, personas, community_a, zhang_san
):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    make_user("supervisor2", Role.SUPERVISOR, community_a)
    call = calls.call_start(actor=personas["agent"], community=community_a, number="13812345678")
    call = calls.call_finish(actor=personas["agent"], call=call, outcome="on_the_spot")

    _log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/quality/reviews/")
    page.get_by_test_id("review-call").first.click()
    page.locator("input[name^=item]").first.fill("5")
    page.locator("input[name^=note]").first.fill("开头没有说“您好”")
    page.get_by_test_id("save-review").click()
    expect(page.get_by_test_id("review-score")).to_have_text("95.0")

    _log_in(page, live_server, "agent")
    review = Review.objects.get()
    page.goto(f"{live_server.url}/quality/reviews/{review.id}/")
    expect(page.get_by_test_id("review-marks")).to_contain_text("开头没有说“您好”")
    page.locator("#id_reason").fill("业主一接通就开始说话，我随后补了问候")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("appeal").click()
    expect(page.get_by_test_id("review-state")).to_contain_text(either("已申诉", "Appealed"))

    _log_in(page, live_server, "supervisor2")
    page.goto(f"{live_server.url}/quality/reviews/{review.id}/")
    page.locator("#id_granted").select_option("no")
    page.locator("#id_note").fill("录音显示接通后未问候，维持扣分")
    page.get_by_test_id("decide-appeal-button").click()
    expect(page.get_by_test_id("review-state")).to_contain_text(either("申诉驳回", "refused"))
    page.screenshot(path="test-results/quality-review.png", full_page=True)
    review.refresh_from_db()
    assert review.state == ReviewState.UPHELD
    assert review.call_id == call.id
    assert review.decided_by.username == "supervisor2"
