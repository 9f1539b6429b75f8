"""The six-dimension assessment pages (绩效考核): a supervisor picks a community and a month,
computes the scorecards, reads the ranking and the team's scores, adjusts a score with a reason,
records data-entry checks and closes the month; an agent reads their own scorecards. Each
scorecard shows the radar of its six dimensions and the evidence of each score."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.cleaning import clean_month
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.core.permissions import Perm, communities_for, has_perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.quality import selectors
from propdesk.quality.forms import AdjustForm
from propdesk.quality.models import AssessmentDimension, AssessmentMonth, MonthState
from propdesk.quality.services import assessment
from propdesk.quality.services._common import today


def _picked(request, communities):
    """The community and month the page shows (the first community and last month by default)."""
    try:
        community_id = int(request.GET.get("community") or request.POST.get("community") or 0)
    except ValueError:
        community_id = 0
    community = next((c for c in communities if c.pk == community_id), None)
    if community is None and communities:
        community = communities[0]
    text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        period = clean_month("month", text) if text else None
    except ValidationFailed:
        period = None
    if period is None:
        period = (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return community, period


@console_view
def assessment_home(request):
    user = request.user
    require(user, Perm.ASSESSMENT_VIEW)
    if not has_perm(user, Perm.ASSESSMENT_MANAGE):
        cards = selectors.scorecards_visible_to(user).filter(agent=user).order_by("-month__period")
        return render_page(
            request, "quality/pages/assessment_mine.html", None, {"cards": list(cards[:24])}
        )
    communities = list(communities_for(user, Perm.ASSESSMENT_MANAGE))
    community, period = _picked(request, communities)
    month = (
        AssessmentMonth.objects.filter(community=community, period=period).first()
        if community
        else None
    )
    cards = selectors.month_ranking(user, month) if month else []
    context = {
        "communities": communities,
        "community": community,
        "period": period,
        "month": month,
        "cards": cards,
        "team": selectors.team_scores(cards),
        "best": selectors.nominations(cards),
        "dimensions": AssessmentDimension.choices,
    }
    return render_page(request, "quality/pages/assessment.html", None, context)


@console_view
@require_POST
def assessment_compute(request):
    user = request.user
    communities = list(communities_for(user, Perm.ASSESSMENT_MANAGE))
    community, period = _picked(request, communities)
    if community is None:
        require(user, Perm.ASSESSMENT_MANAGE)
        return redirect("quality_assessment")
    try:
        assessment.assessment_compute(actor=user, community=community, period=period)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The scorecards are computed."))
    return redirect(
        f"{reverse('quality_assessment')}?community={community.pk}&month={period:%Y-%m}"
    )


@console_view
@require_POST
def assessment_close(request, month_id: int):
    user = request.user
    month = selectors.month_for_user(user, month_id)
    try:
        assessment.assessment_close(actor=user, month=month)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The month is closed: its scorecards are final."))
    return redirect(
        f"{reverse('quality_assessment')}?community={month.community_id}&month={month.period:%Y-%m}"
    )


@console_view
def scorecard_detail(request, scorecard_id: int):
    user = request.user
    card = selectors.scorecard_for_user(user, scorecard_id)
    can_adjust = (
        has_perm(user, Perm.ASSESSMENT_MANAGE)
        and card.month.state == MonthState.OPEN
        and card.agent_id != user.pk
    )
    form = AdjustForm(request.POST or None) if can_adjust else None
    if request.method == "POST":
        if form is None:
            require(user, Perm.ASSESSMENT_MANAGE, card.community_id)
            messages.error(request, _("This month is closed."))
            return redirect("quality_scorecard", scorecard_id=card.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment.scorecard_adjust(
                    actor=user,
                    scorecard=card,
                    dimension=data["dimension"],
                    score=data["score"],
                    reason=data["reason"],
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The score is adjusted."))
                return redirect("quality_scorecard", scorecard_id=card.pk)
    labels = dict(AssessmentDimension.choices)
    rows = [
        {
            "name": name,
            "label": labels[name],
            "score": score,
            "evidence": card.evidence.get(name, {}),
        }
        for name, score in card.scores().items()
    ]
    chart = {
        "indicators": [{"name": str(labels[name]), "max": 100} for name in labels],
        "values": [float(score) if score is not None else 0 for score in card.scores().values()],
        "name": card.agent.display_name,
    }
    context = {
        "card": card,
        "rows": rows,
        "chart": chart,
        "form": form,
        "adjustments": list(card.adjustments.select_related("adjusted_by")),
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render_page(request, "quality/pages/scorecard.html", None, context, status=status)


# --- assessment rules ----------------------------------------------------------------------------


def _rules_history(request, community) -> list:
    from propdesk.quality.models import AssessmentRules
    from propdesk.quality.services import rules as rules_service

    def label(name):
        try:
            return str(AssessmentRules._meta.get_field(name).verbose_name)
        except Exception:  # a field the rules no longer have
            return name

    def words(value):
        return "—" if value is None or value == "" else str(value)

    actions = {"create": _("set"), "update": _("changed"), "delete": _("removed")}
    return [
        {
            "at": event.at,
            "actor": event.actor,
            "action": actions.get(event.action, event.action),
            "changes": [
                (label(name), words(pair[0]), words(pair[1]))
                for name, pair in (event.changes or {}).items()
            ],
        }
        for event in rules_service.rules_history(actor=request.user, community=community)
    ]


@console_view
def rules_list(request):
    """The company's rules and each of my communities' (its own, or the company's it follows)."""
    from propdesk.core.permissions import is_company_wide
    from propdesk.quality.models import AssessmentRules

    user = request.user
    require(user, Perm.ASSESSMENT_MANAGE)
    rows = {row.community_id: row for row in AssessmentRules.objects.all()}
    company = rows.get(None) or AssessmentRules()
    communities = list(communities_for(user, Perm.ASSESSMENT_MANAGE))
    context = {
        "company": company,
        "can_company": is_company_wide(user),
        "rows": [
            {"community": c, "rules": rows.get(c.pk) or company, "own": c.pk in rows}
            for c in communities
        ],
        "labels": dict(AssessmentDimension.choices),
    }
    return render_page(request, "quality/pages/rules_list.html", None, context)


def _rules_scope(request, scope: str):
    from propdesk.core.errors import NotFound

    if scope == "company":
        return None
    community = next(
        (c for c in communities_for(request.user, Perm.ASSESSMENT_MANAGE) if str(c.pk) == scope),
        None,
    )
    if community is None:
        raise NotFound()
    return community


@console_view
def rules_edit(request, scope: str):
    from propdesk.core.permissions import is_company_wide
    from propdesk.core.views import form_page
    from propdesk.quality.forms import RulesForm
    from propdesk.quality.models import AssessmentRules
    from propdesk.quality.services import rules as rules_service
    from propdesk.quality.services.assessment import rules_for

    user = request.user
    require(user, Perm.ASSESSMENT_MANAGE)
    community = _rules_scope(request, scope)
    if community is None and not is_company_wide(user) and request.method == "POST":
        require(user, Perm.ASSESSMENT_MANAGE, -1)
    current = (
        rules_for(community.pk)
        if community
        else (AssessmentRules.objects.filter(community__isnull=True).first() or AssessmentRules())
    )
    own = community is None or AssessmentRules.objects.filter(community=community).exists()
    form = RulesForm(
        request.POST or None,
        initial={name: getattr(current, name) for name in rules_service.FIELDS},
    )
    title = (
        _("Assessment rules of %(community)s") % {"community": community.name}
        if community
        else _("The company's assessment rules")
    )
    list_url = reverse("quality_rules")
    return form_page(
        request,
        form=form,
        title=title,
        save=lambda data: rules_service.rules_save(actor=user, community=community, values=data),
        success_url=list_url,
        cancel_url=list_url,
        success_message=_("Saved."),
        template="quality/pages/rules_form.html",
        extra={
            "community": community,
            "own": own,
            "read_only": community is None and not is_company_wide(user),
            "history": _rules_history(request, community),
        },
    )


@console_view
@require_POST
def rules_remove(request, scope: str):
    from propdesk.quality.services import rules as rules_service

    community = _rules_scope(request, scope)
    if community is None:
        from propdesk.core.errors import NotFound

        raise NotFound()
    if rules_service.rules_remove(actor=request.user, community=community):
        messages.success(request, _("This community follows the company's rules again."))
    return redirect("quality_rules")


# --- data-entry checks ----------------------------------------------------------------------------


@console_view
def entry_checks(request):
    """A supervisor samples an agent's requests of the month, counts the fields checked and the
    wrong ones, and records the check; each agent's error rate is set against the target."""
    from propdesk.quality.forms import EntryCheckForm
    from propdesk.quality.services._common import today as today_

    user = request.user
    require(user, Perm.ASSESSMENT_MANAGE)
    communities = list(communities_for(user, Perm.ASSESSMENT_MANAGE))
    community, period = _picked(request, communities)
    if request.GET.get("month") is None and request.POST.get("month") is None:
        period = today_().replace(day=1)
    agents = assessment._agents(community.pk) if community else []
    form = EntryCheckForm(request.POST or None, agents=agents)
    if request.method == "POST" and community is not None and form.is_valid():
        data = form.cleaned_data
        agent = next(a for a in agents if a.pk == data["agent"])
        try:
            assessment.entry_check_record(
                actor=user,
                community=community,
                agent=agent,
                period=period,
                records_checked=data["records_checked"],
                fields_checked=data["fields_checked"],
                field_errors=data["field_errors"],
                note=data["note"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The check is recorded."))
            return redirect(
                f"{reverse('quality_entry_checks')}?community={community.pk}&month={period:%Y-%m}"
            )
    sample_agent = None
    try:
        sample_id = int(request.GET.get("agent") or 0)
    except ValueError:
        sample_id = 0
    sample_agent = next((a for a in agents if a.pk == sample_id), None)
    context = {
        "communities": communities,
        "community": community,
        "period": period,
        "form": form,
        "checks": selectors.entry_checks(user, community, period) if community else [],
        "rates": selectors.entry_rates(user, community, period, agents) if community else [],
        "target": assessment.rules_for(community.pk).entry_error_target_percent
        if community
        else None,
        "sample_agent": sample_agent,
        "sample": selectors.entry_sample(user, community, period, sample_agent)
        if sample_agent
        else [],
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "quality/pages/entry_checks.html", None, context, status=status)
