"""Console pages of the front-desk visit log (/community/visits/)."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import selectors
from propdesk.community.forms import DeskVisitForm
from propdesk.community.models import VisitOutcome, VisitPurpose
from propdesk.community.services.desk import desk_visit_record
from propdesk.core.errors import AppError, NotFound
from propdesk.core.masking import mask_mobile
from propdesk.core.permissions import Perm, community_ids, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.models import Community, House
from propdesk.tickets import configuration


def _categories():
    return [(c.code, c.label) for c in configuration.active_categories()]


@console_view
def visit_log(request):
    user = request.user
    require(user, Perm.VISIT_LOG)
    communities = list(Community.objects.filter(id__in=community_ids(user)).order_by("code"))
    form = DeskVisitForm(request.POST or None, communities=communities, categories=_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next(c for c in communities if c.id == data["community"])
        try:
            house = None
            if data["house_code"]:
                house = House.objects.filter(
                    community_id=community.id, code=data["house_code"].strip()
                ).first()
                if house is None:
                    raise NotFound(_("No such house in this community."), field="house_code")
            visit = desk_visit_record(
                actor=user,
                community=community,
                visitor_name=data["visitor_name"],
                visitor_mobile=data["visitor_mobile"],
                house=house,
                purpose=data["purpose"],
                details=data["details"],
                referred_to=data["referred_to"],
                outcome=data["outcome"],
                outcome_note=data["outcome_note"],
                callback_at=data["callback_at"],
                category=data["category"],
            )
        except AppError as exc:
            form_error(
                form, exc if exc.field != "house" else AppError(exc.message, field="house_code")
            )
        else:
            text = _("Visit recorded.")
            if visit.request_id:
                text += " " + _("Request %(number)s will remind the desk to call back.") % {
                    "number": visit.request.number
                }
            messages.success(request, text)
            return redirect("community_visits")
    q = request.GET.get("q", "").strip()[:40]
    day = request.GET.get("day", "")[:10]
    try:
        chosen = datetime.date.fromisoformat(day) if day else None
    except ValueError:
        chosen, day = None, ""
    visits = selectors.visit_list(user, q=q, day=chosen)
    page = Paginator(visits, 25).get_page(request.GET.get("page"))
    for visit in page:
        visit.mobile_masked = mask_mobile(visit.visitor_mobile)
    context = {
        "form": form,
        "page": page,
        "q": q,
        "day": day,
        "purposes": VisitPurpose.choices,
        "outcomes": VisitOutcome.choices,
        "now": timezone.now(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "community/pages/visit_log.html", None, context, status=status)
