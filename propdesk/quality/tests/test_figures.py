"""Call figures: answer rate, answered within 3 s and before the 3rd ring, abandoned, mean wait,
callbacks promised and kept — per period, community and agent, against configurable targets."""

import datetime
from decimal import Decimal

import pytest

from propdesk.core.errors import PermissionDenied
from propdesk.quality.models import QualitySettings
from propdesk.quality.selectors import call_figures
from propdesk.quality.services import pbx
from propdesk.quality.tests.conftest import NOW, event

pytestmark = pytest.mark.django_db
DAY = NOW.date()


def play(call_id, *, wait, talk=None, cause="caller", agent="8001", at=None, line="4008001000"):
    """One call through the telephone system's events: answered after `wait` s, or not."""
    import json

    start = at or NOW - datetime.timedelta(hours=1)
    steps = [("ring", start, {})]
    if talk is not None:
        steps.append(("answer", start + datetime.timedelta(seconds=wait), {"agent": agent}))
        end = start + datetime.timedelta(seconds=wait + talk)
        steps.append(("hangup", end, {"cause": "agent"}))
    else:
        steps.append(("hangup", start + datetime.timedelta(seconds=wait), {"cause": cause}))
    for kind, when, extra in steps:
        payload = {**event(call_id, kind, when, **extra), "line": line}
        pbx.event_apply(pbx.parse(json.dumps(payload).encode()))


@pytest.fixture
def calls_of_the_day(line_a, line_b, extension):
    play("A1", wait=2, talk=60)  # within 3 s, ring 1
    play("A2", wait=3, talk=30)  # within 3 s, ring 1
    play("A3", wait=12, talk=30)  # slow, ring 3
    play("A4", wait=20)  # abandoned
    play("A5", wait=30, cause="no_answer")  # missed
    play("B1", wait=1, talk=10, line="4008002000")


def test_the_days_figures(supervisor, calls_of_the_day):
    (figures,) = call_figures(supervisor, date_from=DAY, date_to=DAY)
    assert (figures.calls, figures.answered, figures.abandoned, figures.missed) == (5, 3, 1, 1)
    assert figures.answer_rate == Decimal("60.0")
    assert figures.within_target == 2
    assert figures.before_ring_limit == 2
    assert figures.mean_wait_seconds == Decimal("5.7")
    assert figures.target == Decimal("98")
    assert figures.below_target


def test_an_admin_sees_each_community(admin, calls_of_the_day):
    rows = call_figures(admin, date_from=DAY, date_to=DAY, group="community")
    assert {(r.community_name, r.calls, r.answer_rate) for r in rows} == {
        ("甲小区", 5, Decimal("60.0")),
        ("乙小区", 1, Decimal("100.0")),
    }


def test_figures_per_agent(supervisor, agent, calls_of_the_day):
    rows = call_figures(supervisor, date_from=DAY, date_to=DAY, group="agent")
    by_agent = {r.agent_id: r for r in rows}
    assert by_agent[agent.pk].answered == 3


def test_targets_and_thresholds_are_configurable(supervisor, community_a, calls_of_the_day):
    QualitySettings.objects.create(
        community=community_a,
        answer_rate_target_percent=Decimal("95"),
        answer_within_seconds=12,
        answer_before_ring=4,
    )
    rows = call_figures(supervisor, date_from=DAY, date_to=DAY, group="community")
    (row,) = rows
    assert (row.target, row.within_target, row.before_ring_limit) == (Decimal("95"), 3, 3)


def test_per_month_and_week(supervisor, line_a, clock):
    clock.move_to(NOW - datetime.timedelta(days=40))
    play("M1", wait=1, talk=5, at=NOW - datetime.timedelta(days=40))
    clock.move_to(NOW)
    play("M2", wait=1, talk=5, at=NOW - datetime.timedelta(days=1))
    rows = call_figures(
        supervisor, date_from=DAY - datetime.timedelta(days=60), date_to=DAY, period="month"
    )
    assert [(r.period, r.calls) for r in rows] == [
        (datetime.date(2026, 5, 1), 1),
        (datetime.date(2026, 7, 1), 1),
    ]
    weeks = call_figures(
        supervisor, date_from=DAY - datetime.timedelta(days=6), date_to=DAY, period="week"
    )
    assert [(r.period, r.calls) for r in weeks] == [(datetime.date(2026, 7, 6), 1)]


def test_callbacks_promised_and_kept(supervisor, agent, live_call, house_a):
    from propdesk.quality.services.calls import call_message_take
    from propdesk.tickets.services import request_accept, request_resolve

    call = call_message_take(
        actor=agent, call=live_call, house=house_a, category="fees", message="请回电"
    )
    request_accept(actor=agent, request=call.request)
    request_resolve(actor=agent, request=call.request, note="已回电说明")
    (row,) = call_figures(supervisor, date_from=DAY, date_to=DAY)
    assert (row.callbacks_promised, row.callbacks_kept) == (1, 1)


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "owner", "other_agent"])
def test_figures_are_for_supervisors(personas, role):
    with pytest.raises(PermissionDenied):
        call_figures(personas[role], date_from=DAY, date_to=DAY)


def test_another_communitys_calls_are_not_counted(personas, calls_of_the_day):
    rows = call_figures(personas["supervisor"], date_from=DAY, date_to=DAY, group="community")
    assert [r.community_name for r in rows] == ["甲小区"]
