"""Finance pages: bills, billing runs, arrears and reminders, the daily cash-up, the dashboard,
the fee schedule, corrections to approve and vacancy applications."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.billing import forms
from propdesk.billing.models import (
    BillingRun,
    LedgerAdjustment,
    ReminderTemplate,
    UtilitySettlement,
    VacancyApplication,
)
from propdesk.billing.selectors import access, reports
from propdesk.billing.selectors.schedule import current_rate, fee_schedule, policy_for
from propdesk.billing.services import (
    adjustments,
    cashup,
    reminders,
    runs,
    schedule,
    utilities,
    vacancy,
)
from propdesk.billing.services import figures as figures_service
from propdesk.billing.tasks import billing_figures_refresh_task
from propdesk.core.cleaning import clean_month
from propdesk.core.errors import AppError, NotFound
from propdesk.core.money import from_fen
from propdesk.core.permissions import (
    Perm,
    communities_for,
    community_ids,
    has_perm,
    is_company_wide,
    require,
)
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.models import Building, Community

PAGE_SIZE = 30


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _community(user, community_id, perm: Perm = Perm.BILLING_VIEW):
    """The chosen community, or the user's first one; 404 for one they do not work in."""
    require(user, perm)
    ids = community_ids(user)
    if community_id is None:
        community_id = ids[0] if ids else None
    if community_id not in ids:
        raise NotFound()
    return Community.objects.get(pk=community_id)


# --- bills --------------------------------------------------------------------------------------


@console_view
def bill_list(request):
    require(request.user, Perm.BILLING_VIEW)
    filters = {
        "community_id": _int(request.GET.get("community")),
        "period": request.GET.get("period", "")[:7],
        "status": request.GET.get("status")
        if request.GET.get("status") in ("open", "paid")
        else "",
        "q": request.GET.get("q", "").strip()[:40],
    }
    try:
        period = clean_month("period", filters["period"], required=False)
    except AppError:  # a month typed into the address: show every month rather than fail
        period, filters["period"] = None, ""
    # One community at a time, as on the other fee pages: every bill of every community of a
    # large company is millions of rows to sort (1.1 s at 200,000 houses; 4.7 s for "open").
    community = _community(request.user, filters["community_id"])
    filters["community_id"] = community.id
    bills = reports.bill_list(
        [community.id],
        period=period,
        status=filters["status"],
        house_code=filters["q"],
    )
    page = Paginator(bills, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "communities": communities_for(request.user)}
    return render_page(
        request, "billing/pages/bill_list.html", "billing/partials/bill_table.html", context
    )


# --- billing runs -------------------------------------------------------------------------------


def _run_form(request, data=None):
    user = request.user
    ids = community_ids(user)
    return forms.RunForm(
        data,
        communities=communities_for(user),
        buildings=Building.objects.filter(community_id__in=ids)
        .select_related("community")
        .order_by("community__code", "number"),
    )


def _run_scope(request, data) -> dict:
    user = request.user
    if data.get("building"):
        building = Building.objects.filter(
            pk=data["building"], community_id__in=community_ids(user)
        ).first()
        if building is None:
            raise NotFound()
        return {"building": building}
    if data.get("company"):
        community = communities_for(user).select_related("company").first()
        return {"company": community.company if community else None}
    return {"community": _community(user, data.get("community"), Perm.BILLING_RUN)}


@console_view
def run_list(request):
    require(request.user, Perm.BILLING_VIEW)
    allowed = set(community_ids(request.user))
    recent = [
        run
        for run in BillingRun.objects.select_related("community", "building", "created_by")[:100]
        if set(run.community_ids) <= allowed
    ][:30]
    context = {
        "form": _run_form(request),
        "runs": recent,
        "can_run": has_perm(request.user, Perm.BILLING_RUN),
        "company_wide": is_company_wide(request.user),
    }
    return render(request, "billing/pages/run_list.html", context)


@require_POST
@console_view
def run_preview(request):
    require(request.user, Perm.BILLING_RUN)
    form = _run_form(request, request.POST)
    preview = None
    if form.is_valid():
        try:
            preview = runs.billing_run_preview(
                actor=request.user,
                period=clean_month("period", form.cleaned_data["period"]),
                **_run_scope(request, form.cleaned_data),
            )
        except AppError as exc:
            form_error(form, exc)
    status = 200 if preview else 400
    return render(
        request,
        "billing/partials/run_preview.html",
        {"form": form, "preview": preview},
        status=status,
    )


@require_POST
@console_view
def run_start(request):
    require(request.user, Perm.BILLING_RUN)
    form = _run_form(request, request.POST)
    if form.is_valid():
        try:
            run = runs.billing_run_start(
                actor=request.user,
                period=clean_month("period", form.cleaned_data["period"]),
                **_run_scope(request, form.cleaned_data),
            )
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            return redirect("billing_run_detail", run_id=run.id)
    else:
        messages.error(request, _("Check the month and the scope."))
    return redirect("billing_runs")


@console_view
def run_detail(request, run_id: int):
    run = access.run_for_user(request.user, run_id)
    context = {"run": run, "can_run": has_perm(request.user, Perm.BILLING_RUN)}
    return render_page(
        request, "billing/pages/run_detail.html", "billing/partials/run_progress.html", context
    )


@require_POST
@console_view
def run_resume(request, run_id: int):
    run = access.run_for_user(request.user, run_id)
    try:
        runs.billing_run_resume(actor=request.user, run=run)
    except AppError as exc:
        messages.error(request, str(exc.message))
    return redirect("billing_run_detail", run_id=run.id)


# --- arrears and reminders ----------------------------------------------------------------------


@console_view
def arrears(request):
    user = request.user
    require(user, Perm.BILLING_REPORTS)
    community = _community(user, _int(request.GET.get("community")), Perm.BILLING_REPORTS)
    building_id = _int(request.GET.get("building"))
    aging = reports.arrears_aging([community.id], building_id=building_id, house_limit=300)
    templates = ReminderTemplate.objects.filter(community=community, active=True)
    context = {
        "aging": aging,
        "community": community,
        "communities": communities_for(user),
        "buildings": Building.objects.filter(community=community).order_by("number"),
        "building_id": building_id,
        "buckets": reports.AGING_BUCKETS,
        "reminder_form": forms.ReminderForm(templates=templates),
        "can_remind": has_perm(user, Perm.PAYMENT_TAKE),
    }
    return render(request, "billing/pages/arrears.html", context)


@require_POST
@console_view
def reminders_send(request):
    user = request.user
    community = _community(user, _int(request.POST.get("community")), Perm.PAYMENT_TAKE)
    templates = ReminderTemplate.objects.filter(community=community, active=True)
    form = forms.ReminderForm(request.POST, templates=templates)
    building = Building.objects.filter(
        community=community, pk=_int(request.POST.get("building"))
    ).first()
    if form.is_valid():
        try:
            result = reminders.arrears_remind(
                actor=user,
                community=community,
                template=form.cleaned_data["template"],
                building=building,
            )
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "Reminders: %(queued)s sent, %(scheduled)s after the quiet hours, "
                    "%(recent)s reminded recently, %(none)s without contact."
                )
                % {
                    "queued": result.queued,
                    "scheduled": result.scheduled,
                    "recent": result.skipped_recent,
                    "none": result.skipped_no_contact,
                },
            )
    else:
        messages.error(request, _("Choose a template."))
    return redirect(f"{reverse('billing_arrears')}?community={community.id}")


# --- cash-up ------------------------------------------------------------------------------------


def _cash(request):
    user = request.user
    require(user, Perm.BILLING_REPORTS)
    community = _community(user, _int(request.GET.get("community")), Perm.BILLING_REPORTS)
    day = forms.parse_date(request.GET.get("date"))
    sees_all = has_perm(user, Perm.LEDGER_ADJUST_APPROVE) or is_company_wide(user)
    cashier_id = None if sees_all else user.id
    return community, day, reports.daily_cash([community.id], day, cashier_id=cashier_id)


@console_view
def cash(request):
    community, day, report = _cash(request)
    context = {
        "report": report,
        "community": community,
        "communities": communities_for(request.user),
        "day": day,
        "can_close": has_perm(request.user, Perm.PAYMENT_TAKE),
        "open_count": sum(1 for p in report.payments if p.cash_up_id is None),
    }
    return render(request, "billing/pages/cash.html", context)


@console_view
def cash_xlsx(request):
    _community_, day, report = _cash(request)
    response = HttpResponse(
        cashup.cash_report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="cash-{day.isoformat()}.xlsx"'
    return response


@require_POST
@console_view
def cash_up_close(request):
    community = _community(request.user, _int(request.POST.get("community")), Perm.PAYMENT_TAKE)
    try:
        cash_up = cashup.cash_up_close(actor=request.user, community=community)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Cash-up closed: %(count)s payments, %(total)s.")
            % {"count": cash_up.payment_count, "total": cash_up.total},
        )
    return redirect(f"{reverse('billing_cash')}?community={community.id}")


# --- dashboard ----------------------------------------------------------------------------------


def _dashboard_ids(request) -> tuple[list[int], int | None]:
    user = request.user
    require(user, Perm.BILLING_REPORTS)
    community_id = _int(request.GET.get("community") or request.POST.get("community"))
    if community_id:
        return [_community(user, community_id, Perm.BILLING_REPORTS).id], community_id
    return community_ids(user), None


@console_view
def dashboard(request):
    ids, community_id = _dashboard_ids(request)
    figures = figures_service.dashboard_figures(ids)
    hidden = ("current", "aging_total", "computed_at")
    context = {
        "figures": figures,
        "chart_data": {k: v for k, v in figures.items() if k not in hidden},
        "communities": communities_for(request.user),
        "community_id": community_id,
    }
    return render(request, "billing/pages/dashboard.html", context)


@require_POST
@console_view
def dashboard_refresh(request):
    """Ask the worker for fresh figures of the communities on the page."""
    ids, community_id = _dashboard_ids(request)
    billing_figures_refresh_task(ids)
    messages.success(request, _("The figures are being computed again: reload in a minute."))
    url = reverse("billing_dashboard")
    return redirect(f"{url}?community={community_id}" if community_id else url)


# --- fee schedule -------------------------------------------------------------------------------


@console_view
def fee_schedule_page(request):
    user = request.user
    community = _community(user, _int(request.GET.get("community")))
    if has_perm(user, Perm.BILLING_CONFIGURE):
        schedule.billing_defaults_ensure(community=community)
    items = list(fee_schedule(community.id))
    today = timezone.localdate()
    for item in items:
        item.current = current_rate(item, today)
    policy = policy_for(community.id)
    context = {
        "community": community,
        "communities": communities_for(user),
        "items": items,
        "policy": policy,
        "rate_form": forms.RateForm(),
        "policy_form": forms.PolicyForm(
            initial={f: getattr(policy, f) for f in forms.PolicyForm.base_fields}
        ),
        "settlement_form": forms.SettlementForm(),
        "settlements": UtilitySettlement.objects.filter(community=community)[:10],
        "can_configure": has_perm(user, Perm.BILLING_CONFIGURE),
        "can_settle": has_perm(user, Perm.BILLING_RUN),
    }
    return render(request, "billing/pages/fee_schedule.html", context)


@require_POST
@console_view
def rate_add(request, item_id: int):
    from propdesk.billing.models import FeeItem

    user = request.user
    require(user, Perm.BILLING_CONFIGURE)
    item = FeeItem.objects.filter(pk=item_id, community_id__in=community_ids(user)).first()
    if item is None:
        raise NotFound()
    form = forms.RateForm(request.POST)
    if form.is_valid():
        try:
            schedule.fee_rate_add(actor=user, fee_item=item, **form.cleaned_data)
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("New rate scheduled."))
    else:
        messages.error(request, _("Enter the rate and the date it starts."))
    return redirect(f"{reverse('billing_schedule')}?community={item.community_id}")


@require_POST
@console_view
def policy_update(request, community_id: int):
    community = _community(request.user, community_id, Perm.BILLING_CONFIGURE)
    form = forms.PolicyForm(request.POST)
    if form.is_valid():
        try:
            schedule.billing_policy_update(
                actor=request.user, community=community, **form.cleaned_data
            )
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Billing rules saved."))
    else:
        messages.error(request, _("Check the billing rules."))
    return redirect(f"{reverse('billing_schedule')}?community={community.id}")


@require_POST
@console_view
def settlement_create(request, community_id: int):
    community = _community(request.user, community_id, Perm.BILLING_RUN)
    form = forms.SettlementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            settlement = utilities.utility_settlement_create(
                actor=request.user,
                community=community,
                utility=data["utility"],
                period=clean_month("period", data["period"]),
                cost=data["cost"],
            )
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Shared cost settled: %(drawn)s from deposits, %(billed)s billed.")
                % {
                    "drawn": from_fen(settlement.drawn_fen),
                    "billed": from_fen(settlement.billed_fen),
                },
            )
    else:
        messages.error(request, _("Check the utility, the month and the cost."))
    return redirect(f"{reverse('billing_schedule')}?community={community.id}")


# --- corrections and vacancy --------------------------------------------------------------------


@console_view
def adjustment_queue(request):
    user = request.user
    require(user, Perm.LEDGER_ADJUST_REQUEST)
    pending = adjustments.pending_adjustments(community_ids(user))
    decided = (
        LedgerAdjustment.objects.filter(community_id__in=community_ids(user))
        .exclude(status=LedgerAdjustment.Status.PENDING)
        .select_related("house", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")[:20]
    )
    context = {
        "pending": pending,
        "decided": decided,
        "can_approve": has_perm(user, Perm.LEDGER_ADJUST_APPROVE),
    }
    return render(request, "billing/pages/adjustments.html", context)


@require_POST
@console_view
def adjustment_decide(request, adjustment_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise NotFound()
    adjustment = access.adjustment_for_user(request.user, adjustment_id, Perm.LEDGER_ADJUST_APPROVE)
    decide = (
        adjustments.adjustment_approve if decision == "approve" else adjustments.adjustment_reject
    )
    try:
        decide(actor=request.user, adjustment=adjustment, note=request.POST.get("note", "")[:300])
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Correction approved.") if decision == "approve" else _("Correction rejected."),
        )
    return redirect("billing_adjustments")


@console_view
def vacancy_list(request):
    user = request.user
    require(user, Perm.BILLING_VIEW)
    applications = (
        VacancyApplication.objects.filter(community_id__in=community_ids(user))
        .select_related("house", "owner", "applied_by", "decided_by")
        .order_by("status", "-applied_at")
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "can_approve": has_perm(user, Perm.VACANCY_APPROVE)}
    return render(request, "billing/pages/vacancy.html", context)


@console_view
def vacancy_new(request, house_id: int):
    house = access.house_for_billing(request.user, house_id)
    form = forms.VacancyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vacancy.vacancy_apply(actor=request.user, house=house, note=form.cleaned_data["note"])
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Vacancy application recorded."))
            return redirect("billing_vacancy")
    context = {
        "form": form,
        "title": _("Vacancy discount application"),
        "intro": _("House %(code)s") % {"code": house.code},
        "cancel_url": reverse("billing_desk_house", args=[house.id]),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(
        request, "core/form_page.html", "core/partials/form.html", context, status=status
    )


@require_POST
@console_view
def vacancy_decide(request, application_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise NotFound()
    application = access.vacancy_for_user(request.user, application_id, Perm.VACANCY_APPROVE)
    decide = vacancy.vacancy_approve if decision == "approve" else vacancy.vacancy_reject
    try:
        decide(actor=request.user, application=application, note=request.POST.get("note", "")[:300])
    except AppError as exc:
        messages.error(request, str(exc.message))
    return redirect("billing_vacancy")
