"""The quality overview and the call figures: answer rate against its target, per day, week or
month, community or agent (issue 16; 000 二(1))."""

import datetime

from django.utils.translation import gettext as _

from propdesk.core.permissions import Perm, communities_for, has_perm, require
from propdesk.core.views import console_view, render_page
from propdesk.quality import selectors
from propdesk.quality.forms import FiguresForm
from propdesk.quality.services._common import today


def _chart(figures, target, *, label) -> dict:
    """What the page script draws: one line per community or agent (or one), and the target."""
    series: dict[str, dict] = {}
    periods = sorted({f.period.isoformat() for f in figures})
    for figure in figures:
        name = figure.community_name or figure.agent_name or label
        line = series.setdefault(name, {"name": name, "values": {}})
        line["values"][figure.period.isoformat()] = (
            float(figure.answer_rate) if figure.answer_rate is not None else None
        )
    return {
        "periods": periods,
        "series": [
            {"name": line["name"], "data": [line["values"].get(p) for p in periods]}
            for line in series.values()
        ],
        "target": float(target) if target is not None else None,
        "target_label": _("Target"),
        "axis_label": _("Answer rate (%)"),
    }


@console_view
def overview(request):
    user = request.user
    require(user, Perm.CALL_VIEW)
    context: dict = {"can_figures": has_perm(user, Perm.QUALITY_FIGURES)}
    context["callbacks_waiting"] = selectors.callback_queue(user).count()
    context["live"] = selectors.live_calls(user)
    if context["can_figures"]:
        day = today()
        month_start = day.replace(day=1)
        context["month"] = selectors.call_figures(
            user, date_from=month_start, date_to=day, period="month", group="community"
        )
        daily = selectors.call_figures(
            user, date_from=day - datetime.timedelta(days=29), date_to=day, period="day"
        )
        context["chart"] = _chart(
            daily, selectors.answer_rate_target(user), label=_("All my communities")
        )
    return render_page(request, "quality/pages/overview.html", None, context)


@console_view
def call_figures(request):
    user = request.user
    require(user, Perm.QUALITY_FIGURES)
    day = today()
    data = request.GET.copy()
    data.setdefault("date_from", (day - datetime.timedelta(days=29)).isoformat())
    data.setdefault("date_to", day.isoformat())
    data.setdefault("period", "day")
    data.setdefault("group", "total")
    form = FiguresForm(data, communities=list(communities_for(user)))
    figures, chart = [], None
    if form.is_valid():
        values = form.cleaned_data
        figures = selectors.call_figures(
            user,
            date_from=values["date_from"],
            date_to=values["date_to"],
            period=values["period"],
            group=values["group"],
            community=values["community"],
        )
        chart = _chart(
            figures,
            selectors.answer_rate_target(user, values["community"]),
            label=_("All my communities"),
        )
    status = 400 if form.errors else 200
    context = {"form": form, "figures": figures, "chart": chart}
    return render_page(request, "quality/pages/figures.html", None, context, status=status)


@console_view
def dashboard(request):
    """One page of the six figures per community and month, with the targets on the charts."""
    from propdesk.core.cleaning import clean_month
    from propdesk.core.errors import ValidationFailed
    from propdesk.quality.selectors import dashboard as board

    user = request.user
    require(user, Perm.ASSESSMENT_VIEW)
    communities = list(communities_for(user, Perm.ASSESSMENT_VIEW))
    status = 200
    error = ""
    try:
        month = clean_month("month", request.GET.get("month") or "", required=False)
    except ValidationFailed as exc:
        month, status, error = None, 400, str(exc.message)
    this_month = today().replace(day=1)
    month = month or this_month
    if month > this_month:
        month, status, error = this_month, 400, _("This month has not begun.")
    chosen = None
    text = request.GET.get("community") or ""
    if text:
        chosen = next((c for c in communities if str(c.pk) == text), None)
        if chosen is None:
            status, error = 400, _("Choose one of your communities.")
    figures = board.dashboard(user, month=month, community=chosen.pk if chosen else None)
    current = [f for f in figures if f.period == month]
    context = {
        "communities": communities,
        "chosen": chosen,
        "month": month,
        "error": error,
        "current": current,
        "history": sorted(figures, key=lambda f: (f.community_name, f.period), reverse=False),
        "answer_chart": board.chart(
            figures,
            "answer_rate",
            "answer_rate_target",
            labels={"target": _("Target"), "axis": _("Answer rate (%)")},
        ),
        "satisfaction_chart": board.chart(
            figures,
            "satisfaction",
            "satisfaction_target",
            labels={"target": _("Target"), "axis": _("Satisfaction (%)")},
        ),
    }
    return render_page(request, "quality/pages/dashboard.html", None, context, status=status)
