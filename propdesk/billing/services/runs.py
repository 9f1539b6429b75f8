"""Billing runs: bill a month for a company, a community or a building (DOMAIN.md §3).

A run is previewed (count, total, per fee item, what it leaves out and why), then started; the
worker bills one community per transaction with set-based SQL (billing.sql), recording progress
after each, so an interrupted run resumes where it stopped. Running a period again adds only the
bills that are missing: the bill key (house × fee item × period) is checked in the statement
and enforced by a unique index. After each community, prepaid balances pay the new bills.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes, sql
from propdesk.billing.models import (
    DEFAULT_FEES,
    MONTHLY_HOUSE_FEES,
    MONTHLY_PARKING_FEES,
    Bill,
    BillingPolicy,
    BillingRun,
    ClosedPeriod,
    FeeItem,
)
from propdesk.billing.rules import add_months, due_date, month_start
from propdesk.billing.selectors.accounts import fee_name
from propdesk.billing.selectors.schedule import rates_in_effect
from propdesk.billing.services._common import clean_period
from propdesk.billing.services.payments import prepaid_apply_communities
from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.core import audit
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, is_company_wide, require
from propdesk.estates.models import Building, Community, Company

logger = logging.getLogger("propdesk.billing")
MAX_MONTHS_AHEAD = 1


def _scope(actor, *, community=None, building=None, company=None):
    """(scope, community ids, company, community, building) of a run the actor may make."""
    if building is not None:
        require(actor, Perm.BILLING_RUN, building.community_id)
        return (
            BillingRun.Scope.BUILDING,
            [building.community_id],
            None,
            building.community,
            building,
        )
    if community is not None:
        require(actor, Perm.BILLING_RUN, community.id)
        return BillingRun.Scope.COMMUNITY, [community.id], None, community, None
    if company is None:
        raise ValidationFailed(_("Choose a community, a building or the company."), field="scope")
    require(actor, Perm.BILLING_RUN)
    ids = list(Company.objects.filter(pk=company.pk).values_list("communities__id", flat=True))
    ids = sorted(i for i in ids if i is not None)
    if not is_company_wide(actor) and not set(ids) <= set(community_ids(actor)):
        from propdesk.core.errors import PermissionDenied

        raise PermissionDenied(
            _("A company run needs a user who works in every community."),
            code=error_codes.COMMUNITY_FORBIDDEN,
        )
    return BillingRun.Scope.COMPANY, ids, company, None, None


def _clean_run_period(period):
    period = clean_period(period)
    latest = add_months(month_start(timezone.localdate()), MAX_MONTHS_AHEAD)
    if period > latest:
        raise ValidationFailed(
            _("Bills can be made at most one month ahead."),
            code=error_codes.BAD_PERIOD,
            field="period",
        )
    return period


CHUNK_COMMUNITIES = 20  # communities billed per statement and transaction (progress steps)


def run_terms(community_ids_: list[int], period) -> dict[int, sql.CommunityTerms]:
    """The billing terms of each community for `period`, read in a fixed number of queries:
    policy (due day, pro-rating, vacancy rule) and, per house or parking kind, the active fee
    item and the rate in effect on the month's first day (schedule.rates_in_effect, the bulk
    form of the Python rule's rate_on)."""
    policies = {
        p.community_id: p for p in BillingPolicy.objects.filter(community_id__in=community_ids_)
    }
    codes = {**MONTHLY_HOUSE_FEES, **MONTHLY_PARKING_FEES}
    items = list(
        FeeItem.objects.filter(
            community_id__in=community_ids_, code__in=list(codes.values()), active=True
        )
    )
    rates = rates_in_effect([item.id for item in items], period)
    by_code = {(item.community_id, item.code): item for item in items}
    terms = {}
    for community_id in community_ids_:
        policy = policies.get(community_id) or BillingPolicy(community_id=community_id)
        found = {}
        for kind, code in codes.items():
            item = by_code.get((community_id, code))
            rate = rates.get(item.id) if item else None
            if rate is not None:
                found[kind] = (item.id, rate.rate_fen)
        terms[community_id] = sql.CommunityTerms(
            community_id=community_id,
            due_on=due_date(period, policy.due_day),
            pro_rate=policy.pro_rate_by_days,
            vacancy_percent=policy.vacancy_percent,
            vacancy_cutoff=add_months(period, -policy.vacancy_threshold_months),
            vacancy_requires_application=policy.vacancy_requires_application,
            rates=found,
        )
    return terms


def _batch(community_ids_: list[int], period, *, building_id=None, run=None, actor=None):
    terms = run_terms(community_ids_, period)
    return sql.Batch(
        period=period,
        communities=tuple(terms[cid] for cid in community_ids_),
        building_id=building_id,
        run_id=run.id if run else None,
        actor_id=getattr(actor, "pk", None),
        now=timezone.now(),
    )


def _ensure_defaults(community_ids_: list[int]) -> None:
    """Seed the default schedule of communities that lack part of it (new communities)."""
    counts = dict(
        FeeItem.objects.filter(community_id__in=community_ids_)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    has_policy = set(
        BillingPolicy.objects.filter(community_id__in=community_ids_).values_list(
            "community_id", flat=True
        )
    )
    for community in Community.objects.filter(id__in=community_ids_):
        if counts.get(community.id, 0) < len(DEFAULT_FEES) or community.id not in has_policy:
            billing_defaults_ensure(community=community)


def _closed(community_ids_: list[int], period) -> set[int]:
    return set(
        ClosedPeriod.objects.filter(community_id__in=community_ids_, period=period).values_list(
            "community_id", flat=True
        )
    )


def billing_run_preview(*, actor, period, community=None, building=None, company=None) -> dict:
    """What a run would add, without adding it: bills and total per fee item, and exceptions."""
    period = _clean_run_period(period)
    scope, ids, company, community, building = _scope(
        actor, community=community, building=building, company=company
    )
    closed = _closed(ids, period)
    if closed and scope != BillingRun.Scope.COMPANY:
        raise Conflict(_("This period is closed."), code=error_codes.PERIOD_CLOSED, field="period")
    by_item: dict[str, dict] = {}
    exceptions = {
        "houses": 0,
        "unsold": 0,
        "not_delivered": 0,
        "no_area": 0,
        "spaces_without_house": 0,
        "already_billed": 0,
        "no_rate": [],
        "closed_communities": sorted(closed),
    }
    open_ids = [cid for cid in ids if cid not in closed]
    batch = _batch(open_ids, period, building_id=building.id if building else None)
    sql.bill_statistics_refresh()  # the preview checks the bill key too (see _BillStatistics)
    found = {**sql.preview_house_bills(batch), **sql.preview_parking_bills(batch)}
    items = FeeItem.objects.in_bulk(list(found))
    for item_id, (count, amount_fen) in found.items():
        item = items[item_id]
        row = by_item.setdefault(
            item.code, {"code": item.code, "name": fee_name(item), "bills": 0, "amount_fen": 0}
        )
        row["bills"] += count
        row["amount_fen"] += amount_fen
    if open_ids:
        exceptions.update(sql.house_exceptions(batch))
        exceptions["spaces_without_house"] = sql.spaces_without_house(batch)
    billed = Bill.objects.filter(community_id__in=open_ids, period=period)
    if building:
        billed = billed.filter(house__building_id=building.id)
    exceptions["already_billed"] = billed.count()
    exceptions["no_rate"] = sorted(
        {
            str(code)
            for terms in batch.communities
            for kind, code in MONTHLY_HOUSE_FEES.items()
            if kind not in terms.rates
        }
    )
    rows = sorted(by_item.values(), key=lambda row: row["code"])
    return {
        "period": f"{period:%Y-%m}",
        "scope": scope,
        "communities": len(ids),
        "bills": sum(row["bills"] for row in rows),
        "amount_fen": sum(row["amount_fen"] for row in rows),
        "by_item": rows,
        "exceptions": exceptions,
    }


@transaction.atomic
def billing_run_start(
    *, actor, period, community=None, building=None, company=None, preview: dict | None = None
) -> BillingRun:
    """Queue a run; the worker bills it community by community (billing_run_execute)."""
    period = _clean_run_period(period)
    scope, ids, company, community, building = _scope(
        actor, community=community, building=building, company=company
    )
    if _closed(ids, period) and scope != BillingRun.Scope.COMPANY:
        raise Conflict(_("This period is closed."), code=error_codes.PERIOD_CLOSED, field="period")
    busy = BillingRun.objects.filter(
        period=period,
        status__in=[BillingRun.Status.QUEUED, BillingRun.Status.RUNNING],
        scope=scope,
        community=community,
        building=building,
        company=company,
    )
    if busy.exists():
        raise Conflict(
            _("A run for this period and scope is already under way."),
            code=error_codes.RUN_BUSY,
            field="period",
        )
    run = BillingRun.objects.create(
        scope=scope,
        company=company,
        community=community,
        building=building,
        period=period,
        community_ids=ids,
        preview=preview or {},
        created_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=community or run,
        action="billing_run",
        changes={"period": [None, f"{period:%Y-%m}"], "scope": [None, scope]},
        object_repr=f"{period:%Y-%m}",
    )
    transaction.on_commit(lambda: _enqueue(run.id))
    return run


def _enqueue(run_id: int) -> None:
    from propdesk.billing.tasks import billing_run_task

    billing_run_task(run_id)


@transaction.atomic
def billing_run_resume(*, actor, run: BillingRun) -> BillingRun:
    """Queue an interrupted run again; it carries on from the first community not done."""
    for community_id in run.community_ids:
        require(actor, Perm.BILLING_RUN, community_id)
    updated = BillingRun.objects.filter(
        pk=run.pk, status__in=[BillingRun.Status.FAILED, BillingRun.Status.RUNNING]
    ).update(status=BillingRun.Status.QUEUED, error="", heartbeat_at=timezone.now())
    if not updated:
        raise Conflict(
            _("Only an interrupted run can be resumed."), code=error_codes.RUN_BUSY, field="run"
        )
    transaction.on_commit(lambda: _enqueue(run.pk))
    run.refresh_from_db()
    return run


def billing_run_execute(run_id: int) -> BillingRun:
    """Bill the run's communities not done yet, a chunk per transaction (the worker's task).

    The claim is one UPDATE testing the status on the run's row: of two workers handed the same
    run, one bills it and the other returns."""
    now = timezone.now()
    claimed = BillingRun.objects.filter(
        pk=run_id, status__in=[BillingRun.Status.QUEUED, BillingRun.Status.FAILED]
    ).update(
        status=BillingRun.Status.RUNNING,
        started_at=Coalesce(F("started_at"), now),
        heartbeat_at=now,
    )
    run = BillingRun.objects.get(pk=run_id)
    if not claimed:
        return run
    statistics = _BillStatistics()
    try:
        while _bill_next_chunk(run_id, statistics):
            pass
    except Exception as exc:
        logger.exception("billing run %s interrupted", run_id)
        BillingRun.objects.filter(pk=run_id).update(
            status=BillingRun.Status.FAILED, error=str(exc)[:500]
        )
        return BillingRun.objects.get(pk=run_id)
    BillingRun.objects.filter(pk=run_id).update(
        status=BillingRun.Status.DONE, finished_at=timezone.now()
    )
    # The owners hear of their bills from the worker: the run is done whatever the messages do.
    transaction.on_commit(lambda: _owners_tell(run_id))
    return BillingRun.objects.get(pk=run_id)


def _owners_tell(run_id: int) -> None:
    from propdesk.billing.tasks import run_bills_notify_task

    try:
        run_bills_notify_task(run_id)
    except Exception:  # a queue that is down must not undo a finished run
        logger.exception("billing run %s: the owners' messages could not be queued", run_id)


class _BillStatistics:
    """A re-run's bill-key check is planned from the bill table's statistics, which do not know
    the bills of a run that has just finished (autovacuum analyses the table later): believing
    the month empty, PostgreSQL compared every house with every bill of its community (426 s
    instead of about 5 s for 205,000 houses). They are refreshed, when stale, once per
    execution, the first time a chunk finds bills of the month."""

    def __init__(self):
        self.fresh = False

    def ensure_fresh(self) -> None:
        if not self.fresh:
            sql.bill_statistics_refresh()
            self.fresh = True


@transaction.atomic
def _bill_next_chunk(run_id: int, statistics: _BillStatistics | None = None) -> bool:
    """Bill the run's next communities (up to CHUNK_COMMUNITIES) in one transaction and record
    the progress with them; False when every community is done. The run row is locked, so a
    second worker on the same run waits and then carries on after this chunk."""
    run = BillingRun.objects.select_for_update().get(pk=run_id)
    done = run.communities_done
    chunk = run.community_ids[done : done + CHUNK_COMMUNITIES]
    if not chunk:
        return False
    closed = _closed(chunk, run.period)
    open_ids = [cid for cid in chunk if cid not in closed]
    created = amount_fen = 0
    if open_ids:
        _ensure_defaults(open_ids)
        batch = _batch(
            open_ids, run.period, building_id=run.building_id, run=run, actor=run.created_by
        )
        # A batch with no bill of the month yet (the usual first run) needs no bill-key check.
        skip = sql.billed_already(batch)
        if skip:
            (statistics or _BillStatistics()).ensure_fresh()
        created = sql.insert_house_bills(batch, skip_billed=skip) + sql.insert_parking_bills(
            batch, skip_billed=skip
        )
        if created:
            amount_fen = (
                Bill.objects.filter(
                    community_id__in=open_ids, period=run.period, run_id=run.id
                ).aggregate(total=Sum("amount_fen"))["total"]
                or 0
            )
            prepaid_apply_communities(community_ids=open_ids, actor=run.created_by)
    BillingRun.objects.filter(pk=run.pk).update(
        communities_done=F("communities_done") + len(chunk),
        bills_created=F("bills_created") + created,
        amount_fen=F("amount_fen") + amount_fen,
        heartbeat_at=timezone.now(),
    )
    return done + len(chunk) < len(run.community_ids)


REQUEUE_AFTER = datetime.timedelta(minutes=5)  # a queued run whose task was lost
STUCK_AFTER = datetime.timedelta(minutes=15)  # a running run whose worker has said nothing
MAX_AUTO_RESUMES = 3  # then a supervisor looks at it


def billing_runs_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Every few minutes, like the export sweep: queue again a run whose task was lost, and
    resume a run whose worker died (no progress for `STUCK_AFTER`; it carries on from the first
    community not done). A run that stopped `MAX_AUTO_RESUMES` times is marked interrupted with
    a note, and waits on its page for a supervisor to resume it.

    Each move is one UPDATE testing the status and the heartbeat on the run's row, so two sweeps
    at once resume a run once."""
    now = now or timezone.now()
    Status = BillingRun.Status
    lost = list(
        BillingRun.objects.filter(status=Status.QUEUED)
        .filter(
            Q(heartbeat_at__lt=now - REQUEUE_AFTER)
            | Q(heartbeat_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
        )
        .values_list("id", flat=True)[:100]
    )
    for run_id in lost:
        _enqueue_safely(run_id)
    resumed, failed = [], []
    stuck = BillingRun.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=now - STUCK_AFTER)
        | Q(heartbeat_at__isnull=True, started_at__lt=now - STUCK_AFTER)
    )
    for run in stuck.only("id", "auto_resumes", "heartbeat_at")[:100]:
        same = BillingRun.objects.filter(
            pk=run.pk, status=Status.RUNNING, auto_resumes=run.auto_resumes
        ).filter(Q(heartbeat_at__lt=now - STUCK_AFTER) | Q(heartbeat_at__isnull=True))
        if run.auto_resumes < MAX_AUTO_RESUMES:
            if same.update(
                status=Status.QUEUED,
                auto_resumes=F("auto_resumes") + 1,
                heartbeat_at=now,
                error="",
            ):
                resumed.append(run.pk)
                logger.warning("billing run %s: the worker stopped; resumed", run.pk)
                _enqueue_safely(run.pk)
        elif same.update(
            status=Status.FAILED,
            heartbeat_at=now,
            error=_(
                "The worker stopped %(n)s times while billing this run. Check the worker, "
                "then resume the run: it carries on where it stopped."
            )
            % {"n": run.auto_resumes + 1},
        ):
            failed.append(run.pk)
            logger.error("billing run %s: the worker keeps stopping; left for a supervisor", run.pk)
    return {"requeued": len(lost), "resumed": resumed, "failed": failed}


def _enqueue_safely(run_id: int) -> None:
    try:
        _enqueue(run_id)
    except Exception:  # the next sweep tries again
        logger.exception("billing run %s could not be handed to the worker", run_id)


def building_of(community: Community, building_id) -> Building | None:
    if not building_id:
        return None
    return Building.objects.filter(community=community, pk=building_id).first()
