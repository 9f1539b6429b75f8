"""Console pages of severe-weather warnings (天气预警, /community/warnings/): compose one for
chosen communities, the scheduled and sent ones with their counts, cancelling one not yet sent,
and the phone calls to special-care residents each warning starts."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community import selectors
from propdesk.community.forms import WeatherWarningForm
from propdesk.community.models import WarningStatus, WeatherWarning
from propdesk.community.services import warnings as service
from propdesk.community.views.owner_visits import chosen_community
from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, communities_for, get_scoped, has_perm, require
from propdesk.core.views import console_view, form_page, paginate, render_page


@console_view
def warning_list(request):
    user = request.user
    require(user, Perm.INCIDENT_VIEW)
    community, communities = (
        chosen_community(request, Perm.INCIDENT_VIEW)
        if request.GET.get("community")
        else (None, list(communities_for(user, Perm.INCIDENT_VIEW)))
    )
    status = request.GET.get("status", "")
    status = status if status in WarningStatus.values else ""
    page = paginate(
        request,
        selectors.weather_warning_list(
            user, community_id=community.id if community else None, status=status
        ),
    )
    calls = selectors.care_calls_for_warnings(user, [w.id for w in page])
    by_warning: dict[int, list] = {}
    for call in calls:
        by_warning.setdefault(int(call.source.split(":", 1)[1]), []).append(call)
    for warning in page:
        warning.calls = by_warning.get(warning.id, [])
        warning.calls_open = sum(1 for c in warning.calls if c.done_at is None)
    context = {
        "page": page,
        "community": community,
        "communities": communities,
        "status": status,
        "statuses": WarningStatus.choices,
        "can_send": has_perm(user, Perm.WEATHER_WARNING),
        "can_call": has_perm(user, Perm.CARE_MANAGE),
        "now": timezone.now(),
    }
    return render_page(request, "community/pages/warning_list.html", None, context)


@console_view
def warning_new(request):
    user = request.user
    require(user, Perm.WEATHER_WARNING)
    communities = list(communities_for(user, Perm.WEATHER_WARNING))
    by_id = {c.id: c for c in communities}
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"send_at": now.replace(tzinfo=None)}
    if len(communities) == 1:
        initial["communities"] = [communities[0].id]
    form = WeatherWarningForm(request.POST or None, communities=communities, initial=initial)

    def save(data):
        return service.weather_warning_schedule(
            actor=user,
            communities=[by_id[i] for i in data["communities"]],
            title=data["title"],
            text=data["text"],
            send_at=data["send_at"],
        )

    return form_page(
        request,
        form=form,
        title=_("Schedule a severe-weather warning"),
        save=save,
        success_url=reverse("community_warnings"),
        cancel_url=reverse("community_warnings"),
        success_message=_(
            "Warning scheduled. Special-care residents are on the call list: phone them first."
        ),
        extra={
            "intro": _(
                "Residents get the warning through the 'Severe-weather warning' message template; "
                "special-care residents are phoned by staff before it is sent."
            )
        },
    )


@require_POST
@console_view
def warning_cancel(request, warning_id: int):
    warning = get_scoped(
        WeatherWarning.objects.all(), request.user, warning_id, Perm.WEATHER_WARNING
    )
    try:
        service.weather_warning_cancel(actor=request.user, warning=warning)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Warning cancelled: nobody will be sent it."))
    return redirect("community_warnings")
