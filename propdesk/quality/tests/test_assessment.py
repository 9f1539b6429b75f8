"""The six-dimension assessment: scores from the month's records with their evidence, weights and
the data-entry deduction, a supervisor's adjustment with a reason, closing the month, and who
sees which scorecard."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.quality.models import (
    AssessmentMonth,
    AssessmentRules,
    MonthState,
    ScoreAdjustment,
    Scorecard,
)
from propdesk.quality.services import assessment, exams, reviews

pytestmark = pytest.mark.django_db
JULY = datetime.date(2026, 7, 1)


@pytest.fixture
def reviewed(supervisor, agent, live_call):
    """The agent's call reviewed: 5 of 40 attitude points off, nothing else."""
    form = reviews.review_form_default()
    items = list(form.items.all())
    attitude = next(item for item in items if item.dimension == "attitude")
    return reviews.review_create(
        actor=supervisor, agent=agent, call=live_call, marks={attitude.pk: [5, "语气生硬"]}
    )


@pytest.fixture
def examined(supervisor, agent, community_a):
    exam = exams.exam_create(
        actor=supervisor,
        community=community_a,
        title="小测",
        topic_counts={"duties": 2},
        pass_percent=50,
    )
    attempt = exams.attempt_start(actor=agent, exam=exam)
    first = attempt.answers.select_related("question").order_by("order").first()
    exams.attempt_answer_save(
        actor=agent, attempt=attempt, question_id=first.question_id, chosen=first.question.answer
    )
    return exams.attempt_submit(actor=agent, attempt=attempt)


def card_of(agent) -> Scorecard:
    return Scorecard.objects.get(agent=agent)


def test_the_month_scores_each_dimension_from_its_records(
    supervisor, agent, community_a, reviewed, examined
):
    month = assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    card = card_of(agent)
    attitude_points = card.evidence["attitude"]["possible"]
    assert card.evidence["attitude"]["deducted"] == 5
    assert card.attitude == (Decimal(attitude_points - 5) * 100 / attitude_points).quantize(
        Decimal("0.1")
    )
    assert (card.communication, card.knowledge) == (Decimal(100), Decimal(50))
    assert card.evidence["knowledge"]["best_exam_score"] == "50.0"
    assert card.satisfaction is None
    rules = AssessmentRules()
    expected = assessment.weighted_total(card.scores(), rules, None)
    assert card.total == expected
    assert month.computed_at is not None
    assert not Scorecard.objects.filter(agent=supervisor).exists()


def test_the_weights_are_the_communitys_own(community_a):
    scores = {
        "attitude": Decimal(100),
        "knowledge": Decimal(50),
        "communication": None,
        "problem_solving": None,
        "efficiency": None,
        "satisfaction": None,
    }
    rules = AssessmentRules(community=community_a, weight_attitude=30, weight_knowledge=10)
    assert assessment.weighted_total(scores, rules, None) == Decimal("87.5")
    assert assessment.weighted_total(scores, rules, Decimal("4")) == Decimal("77.5")
    assert assessment.weighted_total(scores, rules, Decimal("1.5")) == Decimal("87.5")
    assert assessment.weighted_total(dict.fromkeys(scores), rules, None) is None


def test_data_entry_errors_above_the_target_cost_points(
    supervisor, agent, community_a, reviewed, personas
):
    assessment.entry_check_record(
        actor=supervisor,
        community=community_a,
        agent=agent,
        period=JULY,
        records_checked=50,
        fields_checked=500,
        field_errors=20,
    )
    assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    card = card_of(agent)
    assert card.entry_error_percent == Decimal("4.00")
    without = assessment.weighted_total(card.scores(), AssessmentRules(), None)
    assert card.total == without - 10
    with pytest.raises(ValidationFailed) as refusal:
        assessment.entry_check_record(
            actor=supervisor,
            community=community_a,
            agent=agent,
            period=JULY,
            records_checked=1,
            fields_checked=5,
            field_errors=6,
        )
    assert refusal.value.field == "field_errors"
    with pytest.raises(ValidationFailed) as refusal:
        assessment.entry_check_record(
            actor=supervisor,
            community=community_a,
            agent=personas["other_agent"],
            period=JULY,
            records_checked=1,
            fields_checked=5,
            field_errors=0,
        )
    assert refusal.value.field == "agent"


def test_an_adjustment_is_audited_kept_and_closing_freezes(
    supervisor, agent, community_a, reviewed
):
    assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    card = assessment.scorecard_adjust(
        actor=supervisor,
        scorecard=card_of(agent),
        dimension="satisfaction",
        score="95",
        reason="业主来信表扬",
    )
    assert card.satisfaction == Decimal(95)
    assert ScoreAdjustment.objects.get().reason == "业主来信表扬"
    assert AuditEvent.objects.filter(object_type="scorecard", note="业主来信表扬").exists()
    assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    assert card_of(agent).satisfaction == Decimal(95)
    month = AssessmentMonth.objects.get()
    assessment.assessment_close(actor=supervisor, month=month)
    assert AssessmentMonth.objects.get().state == MonthState.CLOSED
    before = list(Scorecard.objects.values())
    with pytest.raises(Conflict):
        assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    with pytest.raises(Conflict):
        assessment.scorecard_adjust(
            actor=supervisor, scorecard=card, dimension="attitude", score=10, reason="x"
        )
    with pytest.raises(Conflict):
        assessment.assessment_close(actor=supervisor, month=month)
    assert list(Scorecard.objects.values()) == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"dimension": "charm"}, "dimension"),
        ({"score": "101"}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "NaN"}, "score"),
        ({"score": "abc"}, "score"),
        ({"reason": ""}, "reason"),
        ({"reason": "x\x00"}, "reason"),
        ({"reason": "长" * 301}, "reason"),
    ],
)
def test_bad_adjustments_are_refused(supervisor, agent, community_a, reviewed, values, field):
    assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    good = {"dimension": "attitude", "score": "80", "reason": "复核录音"}
    before = list(Scorecard.objects.values())
    with pytest.raises(ValidationFailed) as refusal:
        assessment.scorecard_adjust(
            actor=supervisor, scorecard=card_of(agent), **{**good, **values}
        )
    assert refusal.value.field == field
    assert list(Scorecard.objects.values()) == before
    assert not ScoreAdjustment.objects.exists()


def test_agents_neither_compute_nor_adjust(supervisor, agent, community_a, reviewed, personas):
    with pytest.raises(PermissionDenied):
        assessment.assessment_compute(actor=agent, community=community_a, period=JULY)
    assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    with pytest.raises(PermissionDenied):
        assessment.scorecard_adjust(
            actor=agent, scorecard=card_of(agent), dimension="attitude", score=100, reason="x"
        )
    with pytest.raises(PermissionDenied):
        assessment.assessment_compute(
            actor=personas["other_agent"], community=community_a, period=JULY
        )


def test_a_month_to_come_is_refused(supervisor, community_a):
    with pytest.raises(ValidationFailed) as refusal:
        assessment.assessment_compute(
            actor=supervisor, community=community_a, period=datetime.date(2026, 8, 1)
        )
    assert refusal.value.field == "period"
    assert not AssessmentMonth.objects.exists()


# --- pages --------------------------------------------------------------------------------------


def as_role(personas, role) -> Client:
    client = Client()
    client.force_login(personas[role])
    return client


@pytest.fixture
def computed(supervisor, community_a, reviewed, examined):
    assessment.assessment_compute(actor=supervisor, community=community_a, period=JULY)
    return Scorecard.objects.get(agent=reviewed.agent)


@pytest.mark.parametrize(
    ("role", "home", "card"),
    [
        ("agent", 200, 200),
        ("supervisor", 200, 200),
        ("admin", 200, 200),
        ("technician", 403, 403),
        ("cashier", 403, 403),
        ("guard", 403, 403),
        ("other_agent", 200, 404),
    ],
)
def test_pages_for_role(personas, computed, role, home, card):
    client = as_role(personas, role)
    assert client.get(reverse("quality_assessment")).status_code == home
    assert client.get(reverse("quality_scorecard", args=[computed.pk])).status_code == card


def test_the_owner_is_kept_off_the_pages(personas, computed):
    response = as_role(personas, "owner").get(reverse("quality_scorecard", args=[computed.pk]))
    assert response.status_code in (302, 403)


def test_the_supervisor_reads_the_ranking_and_the_radar_in_chinese(personas, computed, agent):
    client = as_role(personas, "supervisor")
    page = client.get(
        reverse("quality_assessment"), {"community": computed.community_id, "month": "2026-07"}
    ).content.decode()
    assert "服务态度" in page and agent.display_name in page and "团队" in page
    detail = client.get(reverse("quality_scorecard", args=[computed.pk])).content.decode()
    assert 'data-radar="radar-data"' in detail and "业务知识" in detail
    assert "Knowledge" not in detail


def test_the_agent_sees_their_own_scorecards_only(personas, computed):
    page = as_role(personas, "agent").get(reverse("quality_assessment")).content.decode()
    assert "2026-07" in page
    assert (
        'data-testid="adjust-form"'
        not in as_role(personas, "agent")
        .get(reverse("quality_scorecard", args=[computed.pk]))
        .content.decode()
    )


@pytest.mark.parametrize(
    "data",
    [
        {"dimension": "attitude", "score": "120", "reason": "复核"},
        {"dimension": "attitude", "score": "80", "reason": ""},
        {"dimension": "<script>", "score": "80", "reason": "复核"},
        {"dimension": "attitude", "score": "1e9", "reason": "复核"},
    ],
)
def test_bad_adjustments_on_the_page_change_nothing(personas, computed, data):
    before = list(Scorecard.objects.values())
    response = as_role(personas, "supervisor").post(
        reverse("quality_scorecard", args=[computed.pk]), data
    )
    assert response.status_code == 400
    assert list(Scorecard.objects.values()) == before


def test_compute_and_close_through_the_pages(personas, computed):
    client = as_role(personas, "supervisor")
    response = client.post(
        reverse("quality_assessment_compute"),
        {"community": computed.community_id, "month": "2026-07"},
    )
    assert response.status_code == 302
    month = AssessmentMonth.objects.get()
    assert as_role(personas, "agent").post(
        reverse("quality_assessment_close", args=[month.pk])
    ).status_code in (403, 404)
    assert as_role(personas, "other_agent").post(
        reverse("quality_assessment_close", args=[month.pk])
    ).status_code in (403, 404)
    assert AssessmentMonth.objects.get().state == MonthState.OPEN
    client.post(reverse("quality_assessment_close", args=[month.pk]))
    assert AssessmentMonth.objects.get().state == MonthState.CLOSED


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "listed", "detail", "adjust", "close"),
    [
        ("agent", 200, 200, 403, 403),
        ("supervisor", 200, 200, 200, 200),
        ("admin", 200, 200, 200, 200),
        ("technician", 403, 403, 403, 403),
        ("owner", 403, 403, 403, 403),
        ("other_agent", 200, 404, 404, 403),
        ("anonymous", 401, 401, 401, 401),
    ],
)
def test_api_for_role(api, computed, role, listed, detail, adjust, close):
    from propdesk.quality.tests.conftest import quality_snapshot

    month = AssessmentMonth.objects.get()
    assert api.get(role, "/api/quality/assessment/scorecards").status_code == listed
    response = api.get(role, f"/api/quality/assessment/scorecards/{computed.pk}")
    assert response.status_code == detail
    if detail == 200:
        assert response.json()["knowledge"] == "50.0"
    before = quality_snapshot()
    response = api.post(
        role,
        f"/api/quality/assessment/scorecards/{computed.pk}/adjust",
        {"dimension": "attitude", "score": 90, "reason": "复核录音"},
    )
    assert response.status_code == adjust, response.content
    if adjust != 200:
        assert quality_snapshot() == before
    response = api.post(role, f"/api/quality/assessment/months/{month.pk}/close")
    assert response.status_code in ((close,) if close == 200 else (close, 404)), response.content


def test_api_computes_and_refuses_bad_input(api, computed, community_b):
    from propdesk.quality.tests.conftest import quality_snapshot

    ok = api.post(
        "supervisor",
        "/api/quality/assessment/months",
        {"community": computed.community_id, "period": "2026-07-01"},
    )
    assert (ok.status_code, ok.json()["state"]) == (200, "open")
    before = quality_snapshot()
    for body, field in (
        ({"community": community_b.id, "period": "2026-07-01"}, "community"),
        ({"community": computed.community_id, "period": "2026-13-01"}, "period"),
        ({"community": computed.community_id, "period": "2027-01-01"}, "period"),
        ({"community": "1", "period": "2026-07-01"}, "community"),
    ):
        response = api.post("supervisor", "/api/quality/assessment/months", body)
        assert response.status_code in (400, 404, 422), response.content
        answer = response.json()
        fields = {answer["field"], *(e["field"] for e in answer.get("errors", []))}
        assert any(f and f.startswith(field) for f in fields), answer
    response = api.post(
        "supervisor",
        f"/api/quality/assessment/scorecards/{computed.pk}/adjust",
        {"dimension": "attitude", "score": 100.5, "reason": "<script>\x00"},
    )
    assert response.status_code in (400, 422)
    assert quality_snapshot() == before
