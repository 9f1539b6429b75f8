"""The quality dashboard: the six figures per community and month from the records, the targets
on the charts, who may read it (agents their own community only) and the month picker."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.errors import PermissionDenied
from propdesk.quality.models import QualitySettings
from propdesk.quality.selectors import dashboard as board
from propdesk.quality.services import exams, surveys
from propdesk.quality.tests.conftest import good_answers

pytestmark = pytest.mark.django_db
JULY = datetime.date(2026, 7, 1)
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"]
ALLOWED = {"agent", "supervisor", "admin", "other_agent"}


def as_role(personas, role) -> Client:
    client = Client()
    client.force_login(personas[role])
    return client


def figures_of(user, community, month=JULY):
    rows = board.dashboard(user, month=month)
    return next(f for f in rows if f.community_id == community.pk and f.period == month)


@pytest.fixture
def month_of_records(
    supervisor, agent, community_a, live_call, missed_call, survey_round, house_a, owner_account
):
    """July in community A: one call answered and one missed, one survey answer of 5s, one exam
    passed and one failed."""
    surveys.survey_answer(
        actor=owner_account,
        survey_round=survey_round,
        house=house_a,
        answers=good_answers(survey_round),
    )
    exam = exams.exam_create(
        actor=supervisor,
        community=community_a,
        title="小测",
        topic_counts={"duties": 2},
        pass_percent=50,
        max_attempts=2,
    )
    for right in (False, True):
        attempt = exams.attempt_start(actor=agent, exam=exam)
        for answer in attempt.answers.select_related("question"):
            chosen = answer.question.answer if right else []
            if chosen:
                exams.attempt_answer_save(
                    actor=agent, attempt=attempt, question_id=answer.question_id, chosen=chosen
                )
        exams.attempt_submit(actor=agent, attempt=attempt)


def test_the_figures_come_from_the_months_records(supervisor, community_a, month_of_records):
    figures = figures_of(supervisor, community_a)
    assert figures.answer_rate == Decimal("50.0")
    assert figures.satisfaction == Decimal("100.0")
    assert figures.exam_pass_rate == Decimal("50.0")
    assert (figures.sla_met, figures.repeat_rate, figures.complaint_success) == (None, None, None)
    assert (figures.answer_rate_target, figures.satisfaction_target) == (98, 90)
    assert figures.answer_below_target and not figures.satisfaction_below_target
    june = figures_of(supervisor, community_a, datetime.date(2026, 6, 1))
    assert june.answer_rate is None and june.exam_pass_rate is None


def test_six_months_per_community_oldest_first(supervisor, community_a):
    rows = board.dashboard(supervisor, month=JULY)
    assert [f.period for f in rows] == [datetime.date(2026, m, 1) for m in range(2, 8)]
    assert {f.community_id for f in rows} == {community_a.pk}


def test_a_communitys_own_targets_are_drawn(supervisor, community_a):
    QualitySettings.objects.create(
        community=community_a, answer_rate_target_percent=95, satisfaction_target_percent=85
    )
    rows = board.dashboard(supervisor, month=JULY)
    chart = board.chart(
        rows, "answer_rate", "answer_rate_target", labels={"target": "T", "axis": "A"}
    )
    assert chart["target"] == 95.0
    assert chart["periods"][-1] == "2026-07"
    chart = board.chart(
        rows, "satisfaction", "satisfaction_target", labels={"target": "T", "axis": "A"}
    )
    assert chart["target"] == 85.0


def test_roles_without_the_assessment_are_refused(personas):
    for role in ("technician", "cashier", "guard", "owner"):
        with pytest.raises(PermissionDenied):
            board.dashboard(personas[role], month=JULY)


@pytest.mark.parametrize("role", ROLES)
def test_page_for_role(personas, role):
    response = as_role(personas, role).get(reverse("quality_dashboard"))
    assert response.status_code == (200 if role in ALLOWED else 403), role


def test_the_page_draws_both_targets_from_the_projects_files(personas, month_of_records):
    response = as_role(personas, "supervisor").get(
        reverse("quality_dashboard"), {"month": "2026-07"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/echarts.min.js" in page and "quality/charts.js" in page
    assert "<script>" not in page and "style=" not in page
    answer = json.loads(json.dumps(response.context["answer_chart"]))
    assert answer["target"] == 98.0 and answer["series"][0]["data"][-1] == 50.0
    assert response.context["satisfaction_chart"]["target"] == 90.0
    assert 'data-figure="answer_rate"' in page and "50.0 %" in page
    assert '<option value="2026-07" selected>' in page


def test_an_agent_sees_their_own_community_only(
    personas, community_a, community_b, month_of_records
):
    page = as_role(personas, "agent").get(reverse("quality_dashboard")).content.decode()
    assert community_a.name in page and community_b.name not in page
    response = as_role(personas, "agent").get(
        reverse("quality_dashboard"), {"community": community_b.pk}
    )
    assert response.status_code == 400
    assert community_b.name not in response.content.decode()
    other = as_role(personas, "other_agent").get(reverse("quality_dashboard"))
    rows = other.context["current"]
    assert [f.community_id for f in rows] == [community_b.pk]
    assert rows[0].answer_rate is None


def test_an_admin_sees_every_community(personas, community_a, community_b):
    rows = as_role(personas, "admin").get(reverse("quality_dashboard")).context["current"]
    assert {f.community_id for f in rows} == {community_a.pk, community_b.pk}


@pytest.mark.parametrize("month", ["2026-13", "abc", "0000-01", "2027-01", "x" * 5000])
def test_a_bad_month_is_named(personas, month):
    response = as_role(personas, "supervisor").get(reverse("quality_dashboard"), {"month": month})
    assert response.status_code == 400
    assert response.context["month"] == JULY
