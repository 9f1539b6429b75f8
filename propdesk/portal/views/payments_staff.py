"""Console pages of online payment: the providers' credentials (administrators) and the daily
reconciliation with the providers' statements (finance). Thin: every write is a service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError
from propdesk.core.views import console_view
from propdesk.portal.payments import credentials
from propdesk.portal.services import provider_settings, reconciliation


@console_view
def providers(request):
    """Each company's WeChat Pay and Alipay credentials: state, masked summary, entry form.
    Entered values are never put back on the page (a secret left blank keeps the stored one)."""
    errors: dict = {}
    if request.method == "POST":
        company_id = request.POST.get("company")
        provider = str(request.POST.get("provider") or "")[:20]
        try:
            if request.POST.get("action") == "remove":
                provider_settings.credentials_remove(
                    actor=request.user, company_id=company_id, provider=provider
                )
                messages.success(request, _("The credentials were removed."))
            else:
                fields = credentials.FIELDS.get(provider, ())
                provider_settings.credentials_save(
                    actor=request.user,
                    company_id=company_id,
                    provider=provider,
                    values={f.name: request.POST.get(f.name, "") for f in fields},
                )
                messages.success(request, _("The credentials were checked and saved."))
            return redirect("portal:staff_payment_providers")
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = {
                "company": str(company_id),
                "provider": provider,
                "field": exc.field,
                "message": str(exc.message),
            }
    rows = provider_settings.provider_settings_rows(request.user)
    for row in rows:
        row["error"] = (
            errors
            if errors.get("company") == str(row["company"].pk)
            and errors.get("provider") == row["provider"]
            else None
        )
    return render(
        request,
        "portal/staff/payment_providers.html",
        {"rows": rows},
        status=400 if errors else 200,
    )


@console_view
def reconciliation_list(request):
    """The reconciled days, newest first: matched lines, differences left, closed or not."""
    days = (
        reconciliation.reconciliation_days(request.user)
        .annotate(open_items=Count("items", filter=Q(items__resolution="")))
        .order_by("-day", "provider", "pk")
    )
    page = Paginator(days, 30).get_page(request.GET.get("page"))
    return render(request, "portal/staff/reconciliation_list.html", {"page": page})


@console_view
def reconciliation_day(request, day_id: int):
    """One day of one provider: each difference with what can be done about it."""
    row = reconciliation.reconciliation_day_for(request.user, day_id)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "refetch":
                reconciliation.reconciliation_refetch(actor=request.user, day_id=row.pk)
                messages.success(request, _("The statement was fetched and matched again."))
            else:
                reconciliation.reconciliation_resolve(
                    actor=request.user,
                    item_id=request.POST.get("item"),
                    action=str(request.POST.get("action") or ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("The difference is resolved."))
            return redirect("portal:staff_reconciliation_day", day_id=row.pk)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, str(exc.message))
            status = 400
        row.refresh_from_db()
    items = reconciliation.reconciliation_items_for(request.user, row)
    return render(
        request,
        "portal/staff/reconciliation_day.html",
        {"day": row, "items": items, "open": [i for i in items if not i.resolution]},
        status=status,
    )
