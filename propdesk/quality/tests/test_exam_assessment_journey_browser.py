"""Browser journeys: an agent takes an exam in the console and sees the grade; a supervisor's
review is appealed and decided, the supervisor computes and closes the month, and the agent's
scorecard shows the radar of the six dimensions (to the supervisor and to the agent)."""

import re

import pytest
from playwright.sync_api import expect

from propdesk.quality.models import AssessmentMonth, ExamAttempt, MonthState, Scorecard
from propdesk.quality.services import calls, exams, reviews

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)  # a loaded machine answers the forms slowly


def either(chinese: str, english: str):
    return re.compile(f"{chinese}|{english}")


def _log_in(page, live_server, username):
    page.set_default_timeout(120_000)  # a loaded machine serves the first pages slowly
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_attached()


def test_an_agent_takes_an_exam_and_sees_the_grade(page, live_server, personas, community_a):
    exams.exam_create(
        actor=personas["supervisor"],
        community=community_a,
        title="七月业务小测",
        topic_counts={"duties": 3},
        pass_percent=60,
    )
    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/quality/exams/")
    row = page.get_by_test_id("exam-row").filter(has_text="七月业务小测")
    expect(row).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())  # the clock starts now: start?
    row.get_by_test_id("exam-start").click()
    expect(page.get_by_test_id("attempt-deadline")).to_be_visible()
    attempt = ExamAttempt.objects.get()
    answers = list(attempt.answers.select_related("question").order_by("order"))
    for n, answer in enumerate(answers[:2]):  # the third is left unanswered: it counts wrong
        form = page.get_by_test_id("question-form").nth(n)
        for index in answer.question.answer:
            form.locator(f"input[name=chosen][value='{index}']").check()
        expect(page.locator(f"#saved-{answer.order}")).not_to_be_empty()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("attempt-submit").click()
    grade = page.get_by_test_id("attempt-grade")
    expect(grade).to_contain_text(either("通过", "Passed"))
    expect(grade).to_contain_text("66.7")
    expect(page.get_by_test_id("question-verdict").first).to_contain_text(either("正确", "Right"))
    page.screenshot(path="test-results/quality-exam-grade.png", full_page=True)
    attempt.refresh_from_db()
    assert attempt.passed and attempt.correct_count == 2


def test_the_month_closes_and_the_scorecard_shows_the_radar(
    page, live_server, personas, community_a, zhang_san
):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    supervisor, agent = personas["supervisor"], personas["agent"]
    second = make_user("supervisor2", Role.SUPERVISOR, community_a)
    call = calls.call_start(actor=agent, community=community_a, number="13812345678")
    call = calls.call_finish(actor=agent, call=call, outcome="on_the_spot")
    form = reviews.review_form_default()
    item = form.items.order_by("order").first()
    review = reviews.review_create(
        actor=supervisor, agent=agent, call=call, marks={item.pk: [5, "开头没有说“您好”"]}
    )
    review = reviews.review_appeal(actor=agent, review=review, reason="业主一接通就开始说话")
    reviews.review_decide(actor=second, review=review, granted=False, note="维持扣分")

    _log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/quality/assessment/?community={community_a.pk}&month=2026-07")
    page.get_by_test_id("assessment-compute").click()
    expect(page.get_by_test_id("assessment-ranking")).to_contain_text(agent.display_name)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("assessment-close").click()
    expect(page.get_by_test_id("assessment-state")).to_contain_text(either("已关闭", "Closed"))
    expect(page.get_by_test_id("assessment-best")).to_contain_text(agent.display_name)
    page.get_by_test_id("scorecard-row").get_by_role("link", name=agent.display_name).click()
    radar = page.get_by_test_id("scorecard-radar")
    expect(radar.locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("scorecard-evidence")).to_be_visible()
    page.screenshot(path="test-results/quality-scorecard-supervisor.png", full_page=True)
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("dashboard-row")).to_contain_text(community_a.name)
    expect(page.get_by_test_id("answer-chart").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("satisfaction-chart").locator("canvas")).to_be_visible()
    page.screenshot(path="test-results/quality-dashboard.png", full_page=True)

    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/quality/assessment/")
    mine = page.get_by_test_id("my-scorecards")
    expect(mine).to_be_visible()
    mine.get_by_role("link").first.click()
    expect(page.get_by_test_id("scorecard-radar").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("adjust-form")).to_have_count(0)
    page.screenshot(path="test-results/quality-scorecard-agent.png", full_page=True)
    month = AssessmentMonth.objects.get()
    assert month.state == MonthState.CLOSED
    card = Scorecard.objects.get(agent=agent)
    assert card.attitude is not None and card.attitude < 100
