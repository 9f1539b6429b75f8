"""The supervisor dashboard (ECharts), and asking for its Excel export (DOMAIN.md §2, §7)."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from propdesk.core.cleaning import clean_month
from propdesk.core.errors import AppError, Conflict, ValidationFailed
from propdesk.core.exports import export_start
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, render_page
from propdesk.estates.selectors import communities_visible_to
from propdesk.tickets import clock, exports, reports
from propdesk.tickets.models import Status, Target


def _month(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return clean_month("month", raw[:7])
    except AppError:  # none or a bad one in the address: this month
        return timezone.localtime(clock.now()).date().replace(day=1)


def _community(request, user) -> int | None:
    try:
        community_id = int(request.GET.get("community") or 0)
    except ValueError:
        return None
    return community_id or None


def _chart_data(board: reports.Dashboard) -> dict:
    status_labels = dict(Status.choices)
    return {
        "status": {
            "labels": [str(status_labels[s]) for s in board.open_by_status],
            "values": list(board.open_by_status.values()),
        },
        "overdue": {
            "labels": [name for name, _n in board.overdue_by_department],
            "values": [n for _name, n in board.overdue_by_department],
        },
        "sla": {
            "labels": [str(Target(t).label) for t in board.sla_met],
            "values": [row["percent"] for row in board.sla_met.values()],
        },
        "categories": [{"name": name, "value": n} for name, n in board.by_category],
    }


@console_view
def request_dashboard(request):
    user = request.user
    require(user, Perm.REQUEST_REPORTS)
    month = _month(request)
    community_id = _community(request, user)
    board = reports.dashboard(user, month=month, community_id=community_id)
    context = {
        "board": board,
        "month": month,
        "community_id": community_id,
        "communities": list(communities_visible_to(user)),
        "charts": _chart_data(board),
        "sla_rows": [(Target(t).label, row) for t, row in board.sla_met.items()],
        "status_rows": [(dict(Status.choices)[s], n) for s, n in board.open_by_status.items()],
    }
    return render_page(request, "tickets/pages/dashboard.html", None, context)


@console_view
@require_POST
def request_dashboard_export(request):
    """Ask the worker for the month's figures and requests as an Excel workbook."""
    params = {"month": request.POST.get("month", ""), "community": request.POST.get("community")}
    try:
        job = export_start(actor=request.user, kind=exports.KIND, params=params)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        query = {key: value for key, value in params.items() if value}
        return redirect(f"{reverse('request_dashboard')}?{urlencode(query)}")
    return redirect("export_detail", job.id)
