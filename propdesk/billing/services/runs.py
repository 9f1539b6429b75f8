"""Billing runs: bill a month for a company, a community or a building (DOMAIN.md §3).

A run is previewed (count, total, per fee item, what it leaves out and why), then started; the
worker bills one community per transaction with set-based SQL (billing.sql), recording progress
after each, so an interrupted run resumes where it stopped. Running a period again adds only the
bills that are missing: the bill key (house × fee item × period) is checked in the statement
and enforced by a unique index. After each community, prepaid balances pay the new bills.
"""

import logging

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes, sql
from propdesk.billing.models import Bill, BillingRun, ClosedPeriod, FeeItem
from propdesk.billing.rules import add_months, due_date, month_start
from propdesk.billing.selectors.accounts import fee_name
from propdesk.billing.selectors.schedule import policy_for
from propdesk.billing.services._common import clean_period
from propdesk.billing.services.payments import prepaid_apply_community
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
            code="community_forbidden",
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


def _params(community_id: int, period, *, building_id=None, run=None, actor=None):
    policy = policy_for(community_id)
    return sql.RunParams(
        community_id=community_id,
        building_id=building_id,
        period=period,
        due_on=due_date(period, policy.due_day),
        pro_rate=policy.pro_rate_by_days,
        vacancy_percent=policy.vacancy_percent,
        vacancy_threshold_months=policy.vacancy_threshold_months,
        vacancy_requires_application=policy.vacancy_requires_application,
        run_id=run.id if run else None,
        actor_id=getattr(actor, "pk", None),
        now=timezone.now(),
    )


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
    items = {}
    for community_id in ids:
        if community_id in closed:
            continue
        params = _params(community_id, period, building_id=building.id if building else None)
        found = {**sql.preview_house_bills(params), **sql.preview_parking_bills(params)}
        if found:
            items.update(FeeItem.objects.in_bulk(list(found)))
        for item_id, (count, amount_fen) in found.items():
            item = items[item_id]
            row = by_item.setdefault(
                item.code, {"code": item.code, "name": fee_name(item), "bills": 0, "amount_fen": 0}
            )
            row["bills"] += count
            row["amount_fen"] += amount_fen
        for key, value in sql.house_exceptions(params).items():
            exceptions[key] += value
        exceptions["spaces_without_house"] += sql.spaces_without_house(params)
        billed = Bill.objects.filter(community_id=community_id, period=period)
        if building:
            billed = billed.filter(house__building_id=building.id)
        exceptions["already_billed"] += billed.count()
        missing = _codes_without_rate(community_id, period)
        exceptions["no_rate"] = sorted(set(exceptions["no_rate"]) | missing)
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


def _codes_without_rate(community_id: int, period) -> set[str]:
    from propdesk.billing.models import MONTHLY_HOUSE_FEES
    from propdesk.billing.selectors.schedule import rate_on

    missing = set()
    for code in MONTHLY_HOUSE_FEES.values():
        item = FeeItem.objects.filter(community_id=community_id, code=code).first()
        if item is None or not item.active or rate_on(item, period) is None:
            missing.add(str(code))
    return missing


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
    ).update(status=BillingRun.Status.QUEUED, error="")
    if not updated:
        raise Conflict(
            _("Only an interrupted run can be resumed."), code=error_codes.RUN_BUSY, field="run"
        )
    transaction.on_commit(lambda: _enqueue(run.pk))
    run.refresh_from_db()
    return run


def billing_run_execute(run_id: int) -> BillingRun:
    """Bill the run's communities not done yet, one transaction each (the worker's task)."""
    claimed = BillingRun.objects.filter(
        pk=run_id, status__in=[BillingRun.Status.QUEUED, BillingRun.Status.FAILED]
    ).update(
        status=BillingRun.Status.RUNNING,
        started_at=Coalesce(F("started_at"), timezone.now()),
    )
    run = BillingRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        while _bill_next_community(run_id):
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
    return BillingRun.objects.get(pk=run_id)


@transaction.atomic
def _bill_next_community(run_id: int) -> bool:
    """Bill the next community of the run; False when every community is done."""
    run = BillingRun.objects.select_for_update().get(pk=run_id)
    if run.communities_done >= len(run.community_ids):
        return False
    community_id = run.community_ids[run.communities_done]
    created = amount_fen = 0
    if community_id not in _closed([community_id], run.period):
        billing_defaults_ensure(community=Community.objects.get(pk=community_id))
        params = _params(
            community_id, run.period, building_id=run.building_id, run=run, actor=run.created_by
        )
        created = sql.insert_house_bills(params) + sql.insert_parking_bills(params)
        if created:
            amount_fen = (
                Bill.objects.filter(
                    community_id=community_id, period=run.period, run_id=run.id
                ).aggregate(total=Sum("amount_fen"))["total"]
                or 0
            )
            prepaid_apply_community(community_id=community_id, actor=run.created_by)
    BillingRun.objects.filter(pk=run.pk).update(
        communities_done=F("communities_done") + 1,
        bills_created=F("bills_created") + created,
        amount_fen=F("amount_fen") + amount_fen,
    )
    return run.communities_done + 1 < len(run.community_ids)


def building_of(community: Community, building_id) -> Building | None:
    if not building_id:
        return None
    return Building.objects.filter(community=community, pk=building_id).first()
