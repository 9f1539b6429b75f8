"""The quality paths that claim work or count, under real concurrency (PostgreSQL; SQLite runs
one writer at a time, so these are skipped there): the same telephone-system event delivered
several times at once is applied once; two tabs starting an exam at once make one attempt; two
sweeps grade each overdue attempt once; two supervisors closing a month close it once."""

import datetime
import json

import pytest
import time_machine

from propdesk.core.errors import AppError
from propdesk.core.models import AuditEvent
from propdesk.core.tests.concurrency import require_postgresql, run_together
from propdesk.quality.models import (
    AssessmentMonth,
    AttemptAnswer,
    AttemptState,
    Call,
    ExamAttempt,
    MonthState,
    PbxEvent,
)
from propdesk.quality.services import assessment, exams, pbx
from propdesk.quality.tests.conftest import NOW, event

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    require_postgresql()


def _attempt(work):
    def run(_i):
        try:
            return work()
        except AppError as exc:
            return exc.code

    return run


def test_one_event_delivered_four_times_at_once_is_applied_once(line_a):
    body = json.dumps(event("RACE1", "ring", NOW)).encode()

    def deliver():
        with time_machine.travel(NOW, tick=False):
            _call, applied = pbx.event_apply(pbx.parse(body))
            return applied

    outcomes = run_together(4, _attempt(deliver))
    assert not [o for o in outcomes if "error" in o], outcomes
    assert sorted(o["value"] for o in outcomes) == [False, False, False, True]
    assert Call.objects.filter(pbx_call_id="RACE1").count() == 1
    assert PbxEvent.objects.filter(pbx_call_id="RACE1").count() == 1


def test_the_ring_and_the_answer_of_a_new_call_at_once_are_both_applied(line_a):
    # Both find no call and insert one: the loser meets the unique call id, rolls back and tries
    # again on the winner's call, so neither event is lost.
    bodies = [
        json.dumps(event("RACE2", "ring", NOW)).encode(),
        json.dumps(event("RACE2", "answer", NOW + datetime.timedelta(seconds=2))).encode(),
    ]

    def deliver(i):
        with time_machine.travel(NOW, tick=False):
            _call, applied = pbx.event_apply(pbx.parse(bodies[i % 2]))
            return applied

    outcomes = run_together(2, deliver)
    assert not [o for o in outcomes if "error" in o], outcomes
    assert [o["value"] for o in outcomes] == [True, True]
    call = Call.objects.get(pbx_call_id="RACE2")
    assert call.answered_at == NOW + datetime.timedelta(seconds=2)
    assert call.wait_seconds == 2
    assert PbxEvent.objects.filter(pbx_call_id="RACE2").count() == 2


def test_two_tabs_starting_an_exam_at_once_make_one_attempt(agent, supervisor, community_a):
    exam = exams.exam_create(
        actor=supervisor,
        community=community_a,
        title="并发考试",
        topic_counts={"duties": 3},
        max_attempts=1,
    )

    def start():
        with time_machine.travel(NOW, tick=False):
            return exams.attempt_start(actor=agent, exam=exam).pk

    outcomes = run_together(2, _attempt(start))
    values = [o.get("value") for o in outcomes]
    assert not [o for o in outcomes if "error" in o], outcomes
    attempts = list(ExamAttempt.objects.filter(exam=exam))
    assert len(attempts) == 1
    assert attempts[0].pk in values
    assert set(values) <= {attempts[0].pk, "attempt_open_elsewhere"}
    assert AttemptAnswer.objects.filter(attempt=attempts[0]).count() == 3


def test_two_sweeps_grade_each_overdue_attempt_once(personas, supervisor, community_a):
    exam = exams.exam_create(
        actor=supervisor,
        community=community_a,
        title="超时考试",
        topic_counts={"duties": 2},
        duration_minutes=5,
    )
    takers = [personas[name] for name in ("agent", "technician", "cashier", "guard")]
    with time_machine.travel(NOW, tick=False):
        for person in takers:
            exams.attempt_start(actor=person, exam=exam)
    later = NOW + datetime.timedelta(minutes=10)

    def sweep():
        return exams.attempts_expire(at=later)

    outcomes = run_together(2, _attempt(sweep))
    assert not [o for o in outcomes if "error" in o], outcomes
    assert sum(o["value"] for o in outcomes) == len(takers)
    assert ExamAttempt.objects.filter(state=AttemptState.TIMED_OUT).count() == len(takers)


def test_two_supervisors_closing_a_month_close_it_once(supervisor, admin, community_a):
    with time_machine.travel(NOW, tick=False):
        month = assessment.assessment_compute(
            actor=supervisor, community=community_a, period=datetime.date(2026, 7, 1)
        )
    closers = [supervisor, admin]

    def close(i):
        with time_machine.travel(NOW, tick=False):
            try:
                return assessment.assessment_close(actor=closers[i], month=month).state
            except AppError as exc:
                return exc.code

    outcomes = run_together(2, close)
    assert sorted(o.get("value") for o in outcomes) == ["closed", "month_closed"]
    assert AssessmentMonth.objects.get().state == MonthState.CLOSED
    assert (
        AuditEvent.objects.filter(object_type="assessmentmonth", changes__has_key="state").count()
        == 1
    )
