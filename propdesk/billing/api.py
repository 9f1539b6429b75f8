"""Fees and collection endpoints (/api/billing/…): thin, each one access helper → schema → one
service or selector, under the permission policy.

Records in the path or the body are fetched through the scoped helpers (selectors.access), so
another community's house, bill or payment is a 404 naming the field, and a role without the
right is a 403, before anything is read or written. Owners reach only their own houses: dues,
bills, statements, their payments' receipts, and the vacancy application.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from propdesk.api.lists import paged
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, error_responses, page
from propdesk.billing import error_codes
from propdesk.billing import schemas as s
from propdesk.billing.models import (
    BillingRun,
    FeeItem,
    LedgerAdjustment,
    Payment,
    ReminderTemplate,
    VacancyApplication,
)
from propdesk.billing.selectors import access, accounts, reports
from propdesk.billing.selectors.schedule import (
    current_rate,
    fee_schedule,
    policy_for,
    temporary_parking_quote,
)
from propdesk.billing.services import (
    adjustments,
    bills,
    cashup,
    payments,
    receipts,
    reminders,
    runs,
    schedule,
    statements,
    utilities,
    vacancy,
)
from propdesk.billing.services._common import clean_period
from propdesk.core.errors import NotFound, ValidationFailed, fetch_named
from propdesk.core.permissions import (
    Perm,
    chosen_community_ids,
    community_ids,
    has_perm,
    is_company_wide,
    require,
)
from propdesk.estates.models import Building, Community

router = Router(tags=["fees"])

PDF = {
    "responses": {
        200: {
            "description": "A PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX = {
    "responses": {
        200: {
            "description": "An Excel workbook",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _community(user, community_id, perm: Perm = Perm.BILLING_VIEW, field: str = "community"):
    require(user, perm)
    if community_id is None or int(community_id) not in community_ids(user):
        raise NotFound(
            _("No such record in your communities."), code=error_codes.NOT_FOUND, field=field
        )
    return Community.objects.get(pk=community_id)


def _scope_ids(user, community_id, perm: Perm = Perm.BILLING_VIEW) -> list[int]:
    require(user, perm)
    if community_id:
        return [_community(user, community_id, perm).id]
    return community_ids(user)


def _building(user, building_id, perm: Perm = Perm.BILLING_VIEW):
    if not building_id:
        return None
    building = Building.objects.filter(pk=building_id).first()
    if building is None or building.community_id not in community_ids(user):
        raise NotFound(
            _("No such record in your communities."), code=error_codes.NOT_FOUND, field="building"
        )
    require(user, perm, building.community_id)
    return building


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _payment(payment_id: int) -> Payment:
    return (
        Payment.objects.select_related("receipt", "received_by")
        .prefetch_related("entries")
        .get(pk=payment_id)
    )


# --- fee schedule -----------------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/fee-items",
    response={200: list[s.FeeItemOut], **READ_ERRORS},
    summary="The community's fee items with their rates",
)
def fee_item_list(request, community_id: PathId):
    from django.utils import timezone

    community = _community(request.auth, community_id)
    schedule.billing_defaults_ensure(community=community)
    items = list(fee_schedule(community.id))
    today = timezone.localdate()
    for item in items:
        item.current = current_rate(item, today)
    return items


@router.post(
    "/fee-items/{item_id}/rates",
    response={201: s.FeeRateOut, **WRITE_ERRORS},
    summary="Schedule a new rate from a date on (bills already issued keep theirs)",
)
def fee_rate_add(request, item_id: PathId, payload: s.FeeRateIn):
    item = _item(request.auth, item_id)
    rate = schedule.fee_rate_add(
        actor=request.auth,
        fee_item=item,
        rate=payload.rate,
        effective_from=payload.effective_from,
        note=payload.note,
    )
    return Status(201, rate)


def _item(user, item_id) -> FeeItem:
    require(user, Perm.BILLING_CONFIGURE)
    item = FeeItem.objects.filter(pk=item_id, community_id__in=community_ids(user)).first()
    if item is None:
        raise NotFound()
    return item


@router.patch(
    "/fee-items/{item_id}",
    response={200: s.FeeItemOut, **WRITE_ERRORS},
    summary="Rename a fee item or stop billing it",
)
def fee_item_update(request, item_id: PathId, payload: s.FeeItemPatch):
    item = schedule.fee_item_update(
        actor=request.auth,
        fee_item=_item(request.auth, item_id),
        **payload.model_dump(exclude_unset=True),
    )
    item.rate_list = list(item.rates.order_by("-effective_from"))
    return item


@router.get(
    "/communities/{community_id}/policy",
    response={200: s.PolicyOut, **READ_ERRORS},
    summary="The community's billing rules (due day, pro-rating, vacancy, reminders)",
)
def policy_detail(request, community_id: PathId):
    return policy_for(_community(request.auth, community_id).id)


@router.patch(
    "/communities/{community_id}/policy",
    response={200: s.PolicyOut, **WRITE_ERRORS},
    summary="Change the community's billing rules",
)
def policy_update(request, community_id: PathId, payload: s.PolicyPatch):
    community = _community(request.auth, community_id, Perm.BILLING_CONFIGURE)
    values = payload.model_dump(exclude_unset=True)
    return schedule.billing_policy_update(actor=request.auth, community=community, **values)


@router.post(
    "/communities/{community_id}/closed-periods",
    response={201: s.ClosedPeriodOut, **WRITE_ERRORS},
    summary="Close a month: billing runs add nothing to it any more",
)
def period_close(request, community_id: PathId, payload: s.ClosedPeriodIn):
    community = _community(request.auth, community_id, Perm.BILLING_CONFIGURE)
    closed = schedule.billing_period_close(
        actor=request.auth, community=community, period=payload.period
    )
    return Status(201, closed)


# --- billing runs -------------------------------------------------------------------------------


def _run_scope(user, payload: s.RunIn) -> dict:
    if payload.building:
        return {"building": _building(user, payload.building, Perm.BILLING_RUN)}
    if payload.community:
        return {"community": _community(user, payload.community, Perm.BILLING_RUN)}
    if payload.company:
        require(user, Perm.BILLING_RUN)
        ids = community_ids(user)
        community = Community.objects.filter(id__in=ids).select_related("company").first()
        if community is None:
            raise NotFound(_("You work in no community."), field="company")
        return {"company": community.company}
    from propdesk.core.errors import ValidationFailed

    raise ValidationFailed(_("Choose a community, a building or the company."), field="community")


def _preview_out(preview: dict) -> dict:
    return {
        **preview,
        "amount": s.money(preview["amount_fen"]),
        "by_item": [{**row, "amount": s.money(row["amount_fen"])} for row in preview["by_item"]],
    }


@router.post(
    "/runs/preview",
    response={200: s.PreviewOut, **WRITE_ERRORS},
    summary="What a billing run would add: bills and totals per fee item, and exceptions",
)
def run_preview(request, payload: s.RunIn):
    scope = _run_scope(request.auth, payload)
    return _preview_out(
        runs.billing_run_preview(actor=request.auth, period=clean_period(payload.period), **scope)
    )


@router.post(
    "/runs",
    response={202: s.RunOut, **WRITE_ERRORS},
    summary="Start a billing run; poll GET /runs/{id} for its progress",
)
def run_start(request, payload: s.RunIn):
    scope = _run_scope(request.auth, payload)
    run = runs.billing_run_start(actor=request.auth, period=clean_period(payload.period), **scope)
    return Status(202, BillingRun.objects.get(pk=run.pk))


@router.get(
    "/runs",
    response={200: list[s.RunOut], **READ_ERRORS},
    summary="The latest billing runs of your communities",
)
def run_list(request):
    user = request.auth
    require(user, Perm.BILLING_VIEW)
    allowed = set(community_ids(user))
    latest = BillingRun.objects.order_by("-created_at", "-id")[:200]
    return [run for run in latest if set(run.community_ids) <= allowed][:50]


@router.get("/runs/{run_id}", response={200: s.RunOut, **READ_ERRORS}, summary="A billing run")
def run_detail(request, run_id: PathId):
    return access.run_for_user(request.auth, run_id)


@router.post(
    "/runs/{run_id}/resume",
    response={202: s.RunOut, **WRITE_ERRORS},
    summary="Resume an interrupted run from the community it stopped at",
)
def run_resume(request, run_id: PathId):
    run = access.run_for_user(request.auth, run_id)
    return Status(202, runs.billing_run_resume(actor=request.auth, run=run))


# --- bills and the fee gate -----------------------------------------------------------------


@router.get(
    "/bills",
    response={200: s.BillPage, **READ_ERRORS, **error_responses(400)},
    summary="Bills with what they still owe, of one community (or building, or house); filter by "
    "month and status",
)
def bill_list(request, filters: Query[s.BillFilters]):
    user = request.auth
    if access.is_owner(user):
        house_ids = access.owner_house_ids(user) + access.owner_past_house_ids(user)
        if filters.house:
            fetch_named(access.house_for_billing, user, filters.house, field="house")
            house_ids = [filters.house]
        ids = list(Community.objects.filter(houses__id__in=house_ids).values_list("id", flat=True))
    else:
        ids = _scope_ids(user, filters.community)
        house_ids = None
        if filters.house:
            house = fetch_named(access.house_for_billing, user, filters.house, field="house")
            house_ids = [house.id]
        elif len(ids) > 1 and not filters.building:
            # As on the bills page: every bill of a large company is millions of rows to count
            # and sort (1.1 s at 200,000 houses, 4.7 s for the open ones).
            raise ValidationFailed(
                _(
                    "Choose a community (or a building or house): bills are listed one community "
                    "at a time."
                ),
                code=error_codes.COMMUNITY_REQUIRED,
                field="community",
            )
    if not access.is_owner(user):
        _building(user, filters.building)
    items = reports.bill_list(
        ids,
        building_id=filters.building,
        period=clean_period(filters.period) if filters.period else None,
        status=filters.status,
        house_code=filters.code,
        house_ids=house_ids,
        where=access.owner_bills_q(user) if access.is_owner(user) else None,
    )
    return page(items, filters)


@router.get("/bills/{bill_id}", response={200: s.BillOut, **READ_ERRORS}, summary="A bill")
def bill_detail(request, bill_id: PathId):
    bill = access.bill_for_user(request.auth, bill_id)
    return (
        accounts.with_outstanding(type(bill).objects.filter(pk=bill.pk))
        .select_related("house", "fee_item")
        .get()
    )


@router.get(
    "/houses/{house_id}/dues",
    response={200: s.DuesOut, **READ_ERRORS},
    summary="Does the house owe anything, and what? (the fee gate of move-in and decoration)",
)
def house_dues(request, house_id: PathId):
    house = access.house_for_billing(request.auth, house_id)
    return accounts.house_dues(house)


def _statement_house(request, house_id):
    return access.house_for_billing(request.auth, house_id)


@router.get(
    "/houses/{house_id}/statement",
    response={200: s.StatementOut, **READ_ERRORS},
    summary="The owner statement (账单明细) of a house over a date range",
)
def statement(request, house_id: PathId, filters: Query[s.StatementFilters]):
    house = _statement_house(request, house_id)
    opening, lines, closing = accounts.house_ledger(
        house, date_from=filters.date_from, date_to=filters.date_to
    )
    return {
        "house": house.id,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "opening_balance": s.money(opening),
        "closing_balance": s.money(closing),
        "lines": lines,
    }


@router.get(
    "/houses/{house_id}/statement.pdf",
    response={**READ_ERRORS},
    openapi_extra=PDF,
    summary="The owner statement as PDF",
)
def statement_pdf(request, house_id: PathId, filters: Query[s.StatementFilters]):
    house = _statement_house(request, house_id)
    data = statements.statement_pdf_for(house, filters.date_from, filters.date_to)
    return _file(data, "application/pdf", f"statement-{house.code}.pdf")


@router.get(
    "/houses/{house_id}/statement.xlsx",
    response={**READ_ERRORS},
    openapi_extra=XLSX,
    summary="The owner statement as an Excel workbook",
)
def statement_xlsx(request, house_id: PathId, filters: Query[s.StatementFilters]):
    house = _statement_house(request, house_id)
    data = statements.statement_xlsx(house, filters.date_from, filters.date_to)
    return _file(data, XLSX_TYPE, f"statement-{house.code}.xlsx")


@router.post(
    "/decoration-fees",
    response={201: s.BillOut, **WRITE_ERRORS},
    summary="Bill the decoration management fee of a permit (area × rate, once)",
)
def decoration_fee(request, payload: s.DecorationFeeIn):
    user = request.auth
    house = fetch_named(access.house_for_billing, user, payload.house, field="house")
    bill = bills.decoration_fee_bill(actor=user, house=house, permit_ref=payload.permit_ref)
    return Status(201, _bill_out(bill))


@router.post(
    "/utility-deposits",
    response={201: s.BillOut, **WRITE_ERRORS},
    summary="Bill a household's shared water & electricity deposit",
)
def utility_deposit(request, payload: s.DepositIn):
    user = request.auth
    house = fetch_named(access.house_for_billing, user, payload.house, field="house")
    return Status(201, _bill_out(bills.utility_deposit_bill(actor=user, house=house)))


def _bill_out(bill):
    return (
        accounts.with_outstanding(type(bill).objects.filter(pk=bill.pk))
        .select_related("house", "fee_item")
        .get()
    )


# --- payments -----------------------------------------------------------------------------------


@router.post(
    "/payments",
    response={201: s.PaymentOut, 200: s.PaymentOut, **WRITE_ERRORS},
    summary="Take a payment for chosen bills or oldest first; the rest becomes prepaid balance",
    description=(
        "Idempotent: the same `idempotency_key` sent again (or at the same time) answers 200 "
        "with the payment recorded the first time; the same key with other details is a 409."
    ),
)
def payment_create(request, payload: s.PaymentIn):
    user = request.auth
    house = fetch_named(access.house_for_billing, user, payload.house, field="house")
    result = payments.payment_take(
        actor=user,
        house=house,
        amount=payload.amount,
        method=payload.method,
        idempotency_key=payload.idempotency_key,
        bill_ids=payload.bills or None,
        payer_name=payload.payer_name,
        reference=payload.reference,
        note=payload.note,
    )
    return Status(201 if result.created else 200, _payment(result.payment.id))


@router.get(
    "/payments/{payment_id}", response={200: s.PaymentOut, **READ_ERRORS}, summary="A payment"
)
def payment_detail(request, payment_id: PathId):
    return _payment(access.payment_for_user(request.auth, payment_id).id)


@router.get(
    "/receipts/{receipt_id}/pdf",
    response={**READ_ERRORS},
    openapi_extra=PDF,
    summary="Print a receipt (收据); later prints are marked as reprints",
)
def receipt_pdf(request, receipt_id: PathId):
    receipt = access.receipt_for_user(request.auth, receipt_id)
    data = receipts.receipt_print(actor=request.auth, receipt=receipt)
    return _file(data, "application/pdf", f"receipt-{receipt.display_number}.pdf")


@router.post(
    "/meter-top-ups",
    response={201: s.TopUpOut, 200: s.TopUpOut, **WRITE_ERRORS},
    summary="Record a water or electricity meter top-up (水电费充值) with its receipt",
)
def meter_top_up(request, payload: s.TopUpIn):
    user = request.auth
    house = fetch_named(access.house_for_billing, user, payload.house, field="house")
    result = utilities.meter_top_up(
        actor=user,
        house=house,
        utility=payload.utility,
        meter_number=payload.meter_number,
        amount=payload.amount,
        method=payload.method,
        idempotency_key=payload.idempotency_key,
        payer_name=payload.payer_name,
        reference=payload.reference,
    )
    top_up = result.top_up
    top_up.payment = _payment(top_up.payment_id)
    return Status(201 if result.created else 200, top_up)


# --- corrections --------------------------------------------------------------------------------


@router.post(
    "/adjustments",
    response={201: s.AdjustmentOut, **WRITE_ERRORS},
    summary="Ask for a correction (reversal, cancellation, discount, write-off, refund)",
)
def adjustment_create(request, payload: s.AdjustmentIn):
    user = request.auth
    house = fetch_named(
        access.house_for_billing, user, payload.house, Perm.LEDGER_ADJUST_REQUEST, field="house"
    )
    payment = (
        fetch_named(access.payment_for_user, user, payload.payment, field="payment")
        if payload.payment
        else None
    )
    bill = (
        fetch_named(access.bill_for_user, user, payload.bill, field="bill")
        if payload.bill
        else None
    )
    adjustment = adjustments.adjustment_request(
        actor=user,
        kind=payload.kind,
        house=house,
        reason=payload.reason,
        payment=payment,
        bill=bill,
        amount=payload.amount,
        method=payload.method or "",
    )
    return Status(201, adjustment)


@router.get(
    "/adjustments",
    response={200: s.AdjustmentPage, **READ_ERRORS},
    summary="Corrections, pending first (the approval queue)",
)
@paged(Perm.LEDGER_ADJUST_REQUEST, named_community=True)
def adjustment_list(request, filters: Query[s.AdjustmentFilters]):
    ids = chosen_community_ids(request.auth, filters.community)
    items = LedgerAdjustment.objects.filter(community_id__in=ids)
    if filters.status:
        items = items.filter(status=filters.status)
    return items.select_related("house", "requested_by", "decided_by").order_by(
        "requested_at", "id"
    )


@router.post(
    "/adjustments/{adjustment_id}/approve",
    response={200: s.AdjustmentOut, **WRITE_ERRORS},
    summary="Approve a correction (not your own) and write its entries",
)
def adjustment_approve(request, adjustment_id: PathId, payload: s.DecisionIn):
    adjustment = access.adjustment_for_user(request.auth, adjustment_id, Perm.LEDGER_ADJUST_APPROVE)
    return adjustments.adjustment_approve(
        actor=request.auth, adjustment=adjustment, note=payload.note
    )


@router.post(
    "/adjustments/{adjustment_id}/reject",
    response={200: s.AdjustmentOut, **WRITE_ERRORS},
    summary="Reject a correction",
)
def adjustment_reject(request, adjustment_id: PathId, payload: s.DecisionIn):
    adjustment = access.adjustment_for_user(request.auth, adjustment_id, Perm.LEDGER_ADJUST_APPROVE)
    return adjustments.adjustment_reject(
        actor=request.auth, adjustment=adjustment, note=payload.note
    )


# --- vacancy ----------------------------------------------------------------------------------


@router.post(
    "/vacancy-applications",
    response={201: s.VacancyOut, **WRITE_ERRORS},
    summary="Apply for the vacancy discount (an owner for their house, or the desk for them)",
)
def vacancy_apply(request, payload: s.VacancyIn):
    user = request.auth
    house = fetch_named(access.house_for_billing, user, payload.house, field="house")
    application = vacancy.vacancy_apply(actor=user, house=house, note=payload.note)
    return Status(201, application)


@router.get(
    "/vacancy-applications",
    response={200: s.VacancyPage, **READ_ERRORS},
    summary="Vacancy applications (owners see their own)",
)
def vacancy_list(request, filters: Query[s.VacancyFilters]):
    user = request.auth
    items = VacancyApplication.objects.select_related("house")
    if access.is_owner(user):
        items = items.filter(access.owner_rows_q(user, VacancyApplication))
    else:
        items = items.filter(community_id__in=_scope_ids(user, filters.community))
    if filters.status:
        items = items.filter(status=filters.status)
    return page(items.order_by("-applied_at", "-id"), filters)


@router.post(
    "/vacancy-applications/{application_id}/approve",
    response={200: s.VacancyOut, **WRITE_ERRORS},
    summary="Approve: the discount applies from the month after approval",
)
def vacancy_approve(request, application_id: PathId, payload: s.DecisionIn):
    application = access.vacancy_for_user(request.auth, application_id, Perm.VACANCY_APPROVE)
    return vacancy.vacancy_approve(actor=request.auth, application=application, note=payload.note)


@router.post(
    "/vacancy-applications/{application_id}/reject",
    response={200: s.VacancyOut, **WRITE_ERRORS},
    summary="Reject a vacancy application",
)
def vacancy_reject(request, application_id: PathId, payload: s.DecisionIn):
    application = access.vacancy_for_user(request.auth, application_id, Perm.VACANCY_APPROVE)
    return vacancy.vacancy_reject(actor=request.auth, application=application, note=payload.note)


# --- utilities --------------------------------------------------------------------------------


@router.post(
    "/utility-settlements",
    response={201: s.SettlementOut, **WRITE_ERRORS},
    summary="Share a period's actual shared water or electricity cost by area",
)
def settlement_create(request, payload: s.SettlementIn):
    user = request.auth
    community = _community(user, payload.community, Perm.BILLING_RUN)
    building = _building(user, payload.building, Perm.BILLING_RUN)
    if building is not None and building.community_id != community.id:
        raise NotFound(_("No such record in your communities."), field="building")
    settlement = utilities.utility_settlement_create(
        actor=user,
        community=community,
        building=building,
        utility=payload.utility,
        period=clean_period(payload.period),
        cost=payload.cost,
    )
    return Status(201, settlement)


@router.get(
    "/utility-settlements/{settlement_id}",
    response={200: s.SettlementOut, **READ_ERRORS},
    summary="A shared utility settlement with each household's share",
)
def settlement_detail(request, settlement_id: PathId):
    return access.settlement_for_user(request.auth, settlement_id)


# --- arrears, reminders, cash, collection -------------------------------------------------------


def _aging_rows(rows) -> list[dict]:
    return [
        {
            "id": row.key,
            "label": row.label,
            "owner": row.owner,
            **{name: s.money(row.buckets[name]) for name, _l, _h in reports.AGING_BUCKETS},
            "total": s.money(row.total_fen),
        }
        for row in rows
    ]


@router.get(
    "/arrears",
    response={200: s.ArrearsOut, **READ_ERRORS},
    summary="Arrears by house, building and community in aging buckets",
)
def arrears(request, filters: Query[s.ArrearsFilters]):
    user = request.auth
    ids = _scope_ids(user, filters.community, Perm.BILLING_REPORTS)
    building = _building(user, filters.building, Perm.BILLING_REPORTS)
    aging = reports.arrears_aging(ids, building_id=building.id if building else None)
    return {
        "as_of": aging.as_of,
        "total": s.money(aging.total_fen),
        "houses": _aging_rows(aging.houses),
        "buildings": _aging_rows(aging.buildings),
        "communities": _aging_rows(aging.communities),
    }


@router.post(
    "/reminders",
    response={200: s.ReminderOut, **WRITE_ERRORS},
    summary="Send arrears reminders (催缴) to houses with overdue bills, through the outbox",
)
def reminders_send(request, payload: s.ReminderIn):
    user = request.auth
    community = _community(user, payload.community, Perm.PAYMENT_TAKE)
    template = ReminderTemplate.objects.filter(pk=payload.template, community=community).first()
    if template is None:
        raise NotFound(_("No such template in this community."), field="template")
    building = _building(user, payload.building, Perm.PAYMENT_TAKE)
    result = reminders.arrears_remind(
        actor=user, community=community, template=template, building=building
    )
    return result.__dict__


@router.get(
    "/reminder-templates",
    response={200: list[s.TemplateOut], **READ_ERRORS},
    summary="Reminder templates of your communities",
)
def template_list(request, filters: Query[s.CommunityFilter]):
    ids = _scope_ids(request.auth, filters.community)
    return list(
        ReminderTemplate.objects.filter(community_id__in=ids).order_by("community_id", "name")
    )


@router.post(
    "/reminder-templates",
    response={201: s.TemplateOut, **WRITE_ERRORS},
    summary="Add a reminder template ({house}, {owner}, {amount}, {amount_words} …)",
)
def template_create(request, payload: s.TemplateIn):
    community = _community(request.auth, payload.community, Perm.BILLING_CONFIGURE)
    template = reminders.reminder_template_save(
        actor=request.auth,
        community=community,
        name=payload.name,
        channel=payload.channel,
        body=payload.body,
        active=payload.active,
    )
    return Status(201, template)


@router.patch(
    "/reminder-templates/{template_id}",
    response={200: s.TemplateOut, **WRITE_ERRORS},
    summary="Change a reminder template",
)
def template_update(request, template_id: PathId, payload: s.TemplatePatch):
    user = request.auth
    require(user, Perm.BILLING_CONFIGURE)
    template = ReminderTemplate.objects.filter(
        pk=template_id, community_id__in=community_ids(user)
    ).first()
    if template is None:
        raise NotFound()
    values = {
        "name": template.name,
        "channel": template.channel,
        "body": template.body,
        "active": template.active,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    }
    return reminders.reminder_template_save(
        actor=user, community=template.community, template=template, **values
    )


def _cash_report(request, filters: s.CashFilters):
    from django.utils import timezone

    user = request.auth
    ids = _scope_ids(user, filters.community, Perm.BILLING_REPORTS)
    cashier_id = filters.cashier
    if not has_perm(user, Perm.LEDGER_ADJUST_APPROVE) and not is_company_wide(user):
        cashier_id = user.id  # a cashier sees their own takings
    return reports.daily_cash(ids, filters.date or timezone.localdate(), cashier_id=cashier_id)


@router.get(
    "/cash",
    response={200: s.CashOut, **READ_ERRORS},
    summary="The day's takings per cashier and payment method (日结)",
)
def cash_report(request, filters: Query[s.CashFilters]):
    report = _cash_report(request, filters)
    return {
        "date": report.day,
        "total": s.money(report.total_fen),
        "reversed": s.money(report.reversed_fen),
        "rows": report.rows,
    }


@router.get(
    "/cash.xlsx",
    response={**READ_ERRORS},
    openapi_extra=XLSX,
    summary="The day's cash report as an Excel workbook",
)
def cash_report_xlsx(request, filters: Query[s.CashFilters]):
    report = _cash_report(request, filters)
    return _file(cashup.cash_report_xlsx(report), XLSX_TYPE, f"cash-{report.day}.xlsx")


@router.post(
    "/cash-ups",
    response={201: s.CashUpOut, **WRITE_ERRORS},
    summary="Close the cash-up: the payments taken since the last one, per method",
)
def cash_up_create(request, payload: s.CashUpIn):
    from propdesk.accounts.models import User

    user = request.auth
    community = _community(user, payload.community, Perm.PAYMENT_TAKE)
    cashier = None
    if payload.cashier:
        cashier = User.objects.filter(pk=payload.cashier, communities=community).first()
        if cashier is None:
            raise NotFound(_("No such cashier in this community."), field="cashier")
    cash_up = cashup.cash_up_close(actor=user, community=community, cashier=cashier)
    return Status(201, cash_up)


@router.get(
    "/collection-rate",
    response={200: s.CollectionOut, **READ_ERRORS},
    summary="收缴率 of a month: collected for its bills ÷ billed, and arrears recovered",
)
def collection_rate(request, filters: Query[s.CollectionFilters]):
    ids = _scope_ids(request.auth, filters.community, Perm.BILLING_REPORTS)
    result = reports.collection_rate(ids, clean_period(filters.period))
    return {
        "period": filters.period,
        "billed": s.money(result.billed_fen),
        "collected": s.money(result.collected_fen),
        "recovered": s.money(result.recovered_fen),
        "rate": None if result.rate is None else round(result.rate, 4),
    }


@router.get(
    "/temporary-parking-fee",
    response={200: s.ParkingQuoteOut, **READ_ERRORS},
    summary="The temporary-parking fee for a stay of so many minutes",
)
def temporary_parking_fee(request, filters: Query[s.ParkingQuoteFilters]):
    from django.utils import timezone

    community = _community(request.auth, filters.community)
    fee = temporary_parking_quote(community.id, filters.minutes, timezone.localdate())
    return {"minutes": filters.minutes, "fee": s.money(fee)}
