from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "propdesk.community"
    label = "community"
    verbose_name = _("Emergencies and community")

    def ready(self) -> None:
        from propdesk.core.audit import ACTION_LABELS
        from propdesk.estates import house_alerts
        from propdesk.tickets import request_links

        house_alerts.register(house_alerts_of_incidents)
        request_links.register(request_links_of_incidents)
        ACTION_LABELS.update(
            {
                "incident_plan_saved": _("Emergency plan saved"),
                "incident_plan_reset": _("Emergency plan reset to the default"),
                "duty_shift_removed": _("Duty shift removed"),
            }
        )


def house_alerts_of_incidents(user, house):
    """At intake: an active incident whose scope holds the caller's house, with a button that
    records the call on it instead of opening a duplicate."""
    from django.urls import reverse

    from propdesk.community.selectors import active_incidents_for_house
    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_alerts import HouseAlert

    can_link = has_perm(user, Perm.INCIDENT_WORK)
    for incident in active_incidents_for_house(user, house):
        expected = incident.expected_restore_at
        text = _("%(kind)s at %(place)s since %(opened)s.") % {
            "kind": incident.get_kind_display(),
            "place": incident.place,
            "opened": f"{_local(incident.opened_at)}",
        }
        if expected:
            text += " " + _("Expected to be restored by %(time)s.") % {"time": _local(expected)}
        if incident.is_drill:
            text += " " + _("(drill)")
        link_url = (
            f"{reverse('community_incident_link', args=[incident.id])}?house={house.id}"
            if can_link
            else ""
        )
        yield HouseAlert(
            title=_("Incident %(number)s affects this house.") % {"number": incident.number},
            text=text,
            url=reverse("community_incident_detail", args=[incident.id]),
            name="incident",
            link_url=link_url,
            link_label=_("Add this call to the incident instead"),
        )


def request_links_of_incidents(user, request):
    """On a request's page: open an incident from an emergency request, or link the request to
    an incident under way at its house."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from propdesk.community.models import IncidentLink
    from propdesk.community.selectors import active_incidents_for_house
    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_links import HouseLink

    incidents = active_incidents_for_house(user, request.house) if request.house_id else []
    linked = (
        set(
            IncidentLink.objects.filter(request_id=request.pk).values_list("incident_id", flat=True)
        )
        if incidents
        else set()
    )
    for incident in incidents:
        url = reverse("community_incident_detail", args=[incident.id])
        if incident.id in linked:
            yield HouseLink(
                _("Linked to incident %(number)s") % {"number": incident.number}, url, "incident"
            )
        elif has_perm(user, Perm.INCIDENT_WORK):
            yield HouseLink(
                _("Link to incident %(number)s under way here") % {"number": incident.number},
                f"{url}?{urlencode({'link_request': request.number})}#link-form",
                "incident_link",
            )
    if (
        not incidents
        and request.is_open
        and getattr(request.urgency, "is_emergency", False)
        and has_perm(user, Perm.INCIDENT_OPEN)
    ):
        yield HouseLink(
            _("Open an emergency incident from this request"),
            f"{reverse('community_incident_new')}?{urlencode({'request': request.pk})}",
            "incident_new",
        )


def _local(moment) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%m-%d %H:%M}"
