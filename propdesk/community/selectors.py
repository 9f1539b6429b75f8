"""Reads of the community app for pages, the API and the report, scoped to who asks."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from propdesk.community.models import (
    Incident,
    IncidentBroadcast,
    IncidentEntry,
    IncidentLink,
    IncidentStatus,
    IncidentTask,
)
from propdesk.community.services.incidents import house_in_scope
from propdesk.core.permissions import Perm, community_ids, get_scoped, has_perm, scope
from propdesk.estates.models import House


def incidents_visible_to(user):
    return scope(Incident.objects.all(), user, Perm.INCIDENT_VIEW).select_related(
        "community", "opened_by"
    )


def incident_list(user, *, status: str = "", kind: str = "", q: str = "", community_id=None):
    incidents = incidents_visible_to(user)
    if status in IncidentStatus.values:
        incidents = incidents.filter(status=status)
    if kind:
        incidents = incidents.filter(kind=kind)
    if community_id:
        incidents = incidents.filter(community_id=community_id)
    if q:
        incidents = incidents.filter(Q(number__icontains=q) | Q(place__icontains=q))
    return incidents.order_by("-opened_at", "-id")


def incident_for_user(user, incident_id, perm: Perm = Perm.INCIDENT_VIEW) -> Incident:
    return get_scoped(
        Incident.objects.select_related("community", "opened_by", "closed_by", "source_request"),
        user,
        incident_id,
        perm,
    )


def incident_detail(incident: Incident) -> dict:
    """Everything the incident page and the report show, read in a few queries."""
    tasks = list(
        IncidentTask.objects.filter(incident=incident).select_related("department", "done_by")
    )
    entries = list(IncidentEntry.objects.filter(incident=incident).select_related("actor"))
    broadcasts = list(
        IncidentBroadcast.objects.filter(incident=incident).select_related("created_by")
    )
    links = list(
        IncidentLink.objects.filter(incident=incident).select_related(
            "house", "request", "created_by"
        )
    )
    now = timezone.now()
    return {
        "incident": incident,
        "tasks": tasks,
        "tasks_done": sum(1 for t in tasks if t.done_at),
        "tasks_overdue": sum(1 for t in tasks if t.is_overdue(now)),
        "entries": entries,
        "broadcasts": broadcasts,
        "people_told": sum(b.recipients for b in broadcasts),
        "links": links,
        "buildings": list(incident.buildings.all()),
        "units": list(incident.units.select_related("building")),
        "follow_ups": list(incident.follow_ups.select_related("request")),
        "now": now,
    }


def task_for_user(user, task_id, perm: Perm = Perm.INCIDENT_WORK) -> IncidentTask:
    return get_scoped(
        IncidentTask.objects.select_related("incident", "incident__community"),
        user,
        task_id,
        perm,
    )


def active_incidents_for_house(user, house: House) -> list[Incident]:
    """Active incidents (drills too: staff rehearse intake) whose scope holds `house`, for
    intake; empty for a user who may not see incidents there."""
    if not has_perm(user, Perm.INCIDENT_VIEW) or house.community_id not in community_ids(user):
        return []
    candidates = Incident.objects.filter(
        community_id=house.community_id, status=IncidentStatus.ACTIVE
    ).order_by("-opened_at")
    return [i for i in candidates if house_in_scope(i, house)]


def active_incidents_for_owner(user, *, houses=None) -> list[dict]:
    """The active incidents (never drills) affecting the houses an owner-portal account stands
    for, each with the house codes it affects: the portal's banner. A page that already has the
    account's houses passes them (`houses`); one query when nothing is under way."""
    from propdesk.estates.selectors import account_house_links

    if houses is None:
        links = account_house_links(user)
        if not links:
            return []
        houses = list(House.objects.filter(id__in=[link.house_id for link in links]))
    if not houses:
        return []
    incidents = Incident.objects.filter(
        community_id__in={h.community_id for h in houses},
        status=IncidentStatus.ACTIVE,
        is_drill=False,
    ).prefetch_related(
        "buildings",
        "units",
        Prefetch(
            "broadcasts",
            queryset=IncidentBroadcast.objects.order_by("-created_at", "-id"),
            to_attr="latest_broadcasts",
        ),
    )
    banners = []
    for incident in incidents.order_by("-opened_at"):
        building_ids = {b.id for b in incident.buildings.all()}
        unit_ids = {u.id for u in incident.units.all()}
        affected = [
            h
            for h in houses
            if h.community_id == incident.community_id
            and (
                incident.whole_community
                or h.building_id in building_ids
                or (h.unit_id is not None and h.unit_id in unit_ids)
            )
        ]
        if affected:
            latest = incident.latest_broadcasts[0] if incident.latest_broadcasts else None
            banners.append({"incident": incident, "houses": affected, "latest": latest})
    return banners


# --- front-desk visit log, special care, duty roster ---------------------------------------------


def visit_list(user, *, q: str = "", day=None, community_id=None):
    """The walk-ins the user may see, newest first; `day` (a date) narrows to one local day."""
    import datetime

    from propdesk.community.models import DeskVisit

    visits = scope(
        DeskVisit.objects.select_related("house", "request", "recorded_by", "community"),
        user,
        Perm.VISIT_LOG,
    )
    if community_id:
        visits = visits.filter(community_id=community_id)
    if q:
        visits = visits.filter(
            Q(visitor_name__icontains=q) | Q(house__code__startswith=q) | Q(details__icontains=q)
        )
    if day is not None:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        visits = visits.filter(
            visited_at__gte=start, visited_at__lt=start + datetime.timedelta(days=1)
        )
    return visits.order_by("-visited_at", "-id")


def care_list(user, *, q: str = "", overdue: bool = False, community_id=None):
    """The active special-care residents the user may see, the most overdue first."""
    from propdesk.community.models import CareResident

    residents = scope(
        CareResident.objects.select_related("house", "community"), user, Perm.CARE_VIEW
    ).filter(active=True)
    if community_id:
        residents = residents.filter(community_id=community_id)
    if q:
        residents = residents.filter(Q(name__icontains=q) | Q(house__code__startswith=q))
    if overdue:
        residents = residents.filter(next_visit_on__lt=timezone.localdate())
    return residents.order_by("next_visit_on", "id")


def care_resident_for_user(user, resident_id, perm: Perm = Perm.CARE_VIEW):
    from propdesk.community.models import CareResident

    return get_scoped(
        CareResident.objects.select_related("house", "community"), user, resident_id, perm
    )


def care_calls_open(user, *, community_id=None):
    """The calls still to make before a warning, the soonest first."""
    from propdesk.community.models import CareCall

    calls = scope(
        CareCall.objects.select_related("resident", "resident__house"), user, Perm.CARE_VIEW
    ).filter(done_at__isnull=True)
    if community_id:
        calls = calls.filter(community_id=community_id)
    return calls.order_by("due_at", "id")


def duty_shifts(community, *, since=None):
    """The roster of a community from `since` (12 hours ago by default) on."""
    import datetime

    from propdesk.community.models import DutyShift

    since = since or timezone.now() - datetime.timedelta(hours=12)
    return (
        DutyShift.objects.filter(community=community, ends_at__gte=since)
        .select_related("user", "user__department")
        .order_by("starts_at", "id")
    )


def staff_member_of(community, user_id):
    """An active staff account working in `community`, or None."""
    from propdesk.accounts.models import User
    from propdesk.core.permissions import staff_q

    return User.objects.filter(staff_q(), communities__id=community.id, pk=user_id).first()


# --- activities --------------------------------------------------------------------------------


def activity_list(user, *, community_id=None, upcoming: bool = False):
    from propdesk.community.models import Activity

    activities = scope(Activity.objects.select_related("community"), user, Perm.ACTIVITY_VIEW)
    if community_id:
        activities = activities.filter(community_id=community_id)
    if upcoming:
        activities = activities.filter(ends_at__gte=timezone.now())
    return activities.order_by("-starts_at", "-id")


def activity_for_user(user, activity_id, perm: Perm = Perm.ACTIVITY_VIEW):
    from propdesk.community.models import Activity

    return get_scoped(
        Activity.objects.select_related("community", "announcement"), user, activity_id, perm
    )


def activity_detail(activity) -> dict:
    """The sign-ups (confirmed, waiting in order, cancelled), photos and feedback of an activity."""
    from propdesk.community.models import SignupStatus

    signups = list(
        activity.signups.select_related("house", "checked_in_by").order_by("created_at", "id")
    )
    return {
        "activity": activity,
        "confirmed": [s for s in signups if s.status == SignupStatus.CONFIRMED],
        "waitlisted": [s for s in signups if s.status == SignupStatus.WAITLISTED],
        "cancelled": [s for s in signups if s.status == SignupStatus.CANCELLED],
        "checked_in_people": sum(s.people for s in signups if s.checked_in_at),
        "photos": list(activity.photos.all()),
        "feedback": list(activity.feedback.select_related("house", "request")),
        "buildings": list(activity.buildings.all()),
    }


def _owner_houses(user) -> list[House]:
    from propdesk.estates import owner_access

    ids = owner_access.house_ids(user)
    return list(House.objects.filter(id__in=ids).select_related("community").order_by("code"))


def activities_for_owner(user, *, now=None) -> list[dict]:
    """The activities open to the houses an owner account stands for (not yet over, or over
    within a month for the feedback), each with the houses it is for and their sign-ups."""
    import datetime

    from propdesk.community.models import Activity, ActivitySignup, ActivityStatus

    now = now or timezone.now()
    houses = _owner_houses(user)
    if not houses:
        return []
    activities = (
        Activity.objects.filter(
            community_id__in={h.community_id for h in houses},
            status=ActivityStatus.PUBLISHED,
            ends_at__gte=now - datetime.timedelta(days=30),
        )
        .select_related("community")
        .prefetch_related("buildings")
        .order_by("starts_at", "id")
    )
    signups = {}
    for signup in (
        ActivitySignup.objects.filter(activity__in=activities, house_id__in=[h.id for h in houses])
        .exclude(status="cancelled")
        .select_related("house")
    ):
        signups.setdefault(signup.activity_id, []).append(signup)
    rows = []
    for activity in activities:
        building_ids = {b.id for b in activity.buildings.all()}
        eligible = [
            h
            for h in houses
            if h.community_id == activity.community_id
            and (not building_ids or h.building_id in building_ids)
        ]
        if eligible:
            rows.append(
                {
                    "activity": activity,
                    "houses": eligible,
                    "signups": signups.get(activity.id, []),
                    "open": activity.signup_open(now),
                    "over": activity.ends_at < now,
                }
            )
    return rows


def activity_for_owner(user, activity_id) -> dict:
    """One activity as an owner sees it, or NotFound when it is not for any of their houses."""
    from propdesk.core.errors import NotFound

    for row in activities_for_owner(user):
        if str(row["activity"].id) == str(activity_id):
            return row
    raise NotFound()


# --- owner visits (业主走访) ----------------------------------------------------------------------


def owner_visits_by_month(user, *, community_id: int, year: int) -> list[dict]:
    """Visits and the opinions among them per month of a year (12 rows, empty months as 0)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from propdesk.community.models import OwnerVisit

    visits = scope(OwnerVisit.objects.all(), user, Perm.ACTIVITY_VIEW).filter(
        community_id=community_id, visited_on__year=year
    )
    counted = {
        row["month"].month: row
        for row in visits.annotate(month=TruncMonth("visited_on"))
        .values("month")
        .annotate(visits=Count("id"), suggestions=Count("request"))
    }
    return [
        {
            "month": f"{year}-{m:02d}",
            "visits": counted.get(m, {}).get("visits", 0),
            "suggestions": counted.get(m, {}).get("suggestions", 0),
        }
        for m in range(1, 13)
    ]


def visit_plans_overdue(user, *, community_id=None):
    """The buildings whose visit is late, the latest first."""
    from propdesk.community.models import OwnerVisitPlan

    plans = scope(OwnerVisitPlan.objects.select_related("building"), user, Perm.ACTIVITY_VIEW)
    if community_id:
        plans = plans.filter(community_id=community_id)
    return plans.filter(next_due_on__lt=timezone.localdate()).order_by("next_due_on", "id")


def visit_plan_buildings(user, *, community_id: int, q: str = "", show: str = ""):
    """The buildings of a community with their visit plan (`plan` is None without one): the
    plans page. `show` narrows to "overdue" plans or buildings with "none"."""
    from propdesk.community.models import OwnerVisitPlan
    from propdesk.estates.models import Building

    buildings = scope(Building.objects.all(), user, Perm.ACTIVITY_VIEW).filter(
        community_id=community_id
    )
    if q:
        buildings = buildings.filter(number__startswith=q)
    planned = OwnerVisitPlan.objects.filter(community_id=community_id)
    if show == "overdue":
        buildings = buildings.filter(
            id__in=planned.filter(next_due_on__lt=timezone.localdate()).values("building_id")
        )
    elif show == "none":
        buildings = buildings.exclude(id__in=planned.values("building_id"))
    return buildings.order_by("number", "id")


def visit_plans_for(buildings) -> dict:
    from propdesk.community.models import OwnerVisitPlan

    return {
        p.building_id: p
        for p in OwnerVisitPlan.objects.filter(building_id__in=[b.id for b in buildings])
    }


def owner_visit_list(user, *, community_id=None, q: str = "", month: str = ""):
    """The owner visits the user may see, the latest first; `month` is YYYY-MM."""
    import datetime

    from propdesk.community.models import OwnerVisit

    visits = scope(
        OwnerVisit.objects.select_related("house", "community", "visited_by", "request"),
        user,
        Perm.ACTIVITY_VIEW,
    )
    if community_id:
        visits = visits.filter(community_id=community_id)
    if q:
        visits = visits.filter(Q(house__code__startswith=q) | Q(opinions__icontains=q))
    if month:
        try:
            first = datetime.date.fromisoformat(f"{month}-01")
        except ValueError:
            first = None
        if first is not None:
            visits = visits.filter(visited_on__year=first.year, visited_on__month=first.month)
    return visits.order_by("-visited_on", "-id")


def forum_opinions(activity):
    return list(activity.opinions.select_related("house", "request", "recorded_by"))


# --- greetings and warnings ----------------------------------------------------------------------


def weather_warning_list(user, *, community_id=None, status: str = ""):
    from propdesk.community.models import WarningStatus, WeatherWarning

    warnings = scope(
        WeatherWarning.objects.select_related("community", "created_by"), user, Perm.INCIDENT_VIEW
    )
    if community_id:
        warnings = warnings.filter(community_id=community_id)
    if status in WarningStatus.values:
        warnings = warnings.filter(status=status)
    return warnings.order_by("-send_at", "-id")


def care_calls_for_warnings(user, warning_ids) -> list:
    """The care residents' phone calls a warning started, open ones first."""
    from propdesk.community.models import CareCall

    sources = [f"warning:{i}" for i in warning_ids]
    return list(
        scope(
            CareCall.objects.select_related("resident", "resident__house", "done_by"),
            user,
            Perm.CARE_VIEW,
        )
        .filter(source__in=sources)
        .order_by("done_at", "due_at", "id")
    )


def birthday_greetings_sent(user, *, community_id=None):
    from propdesk.community.models import BirthdayGreeting

    greetings = scope(
        BirthdayGreeting.objects.select_related("community", "owner", "resident__house"),
        user,
        Perm.GREETING_OPT_OUT,
    )
    if community_id:
        greetings = greetings.filter(community_id=community_id)
    return greetings.order_by("-sent_on", "-id")


def greeting_messages(greetings) -> dict:
    """The outbox messages of each greeting on a page, by greeting id (one query)."""
    from functools import reduce
    from operator import or_

    from propdesk.core.models import OutboxMessage

    greetings = list(greetings)
    if not greetings:
        return {}
    prefixes = {g.id: f"birthday:{g.year}:{g.person_key}:" for g in greetings}
    rows = OutboxMessage.objects.filter(
        reduce(or_, (Q(dedupe_key__startswith=p) for p in prefixes.values())),
        event="greeting.birthday",
    ).order_by("id")
    found: dict[int, list] = {g.id: [] for g in greetings}
    for row in rows:
        for greeting_id, prefix in prefixes.items():
            if row.dedupe_key.startswith(prefix):
                found[greeting_id].append(row)
                break
    return found


def greeting_people(user, *, community_id: int, q: str):
    """Owners and residents of a community matching a name, mobile tail or house code (at most 50
    of each), for the opt-out page."""
    from propdesk.estates.models import Owner, Ownership, Resident

    if (
        not q
        or not has_perm(user, Perm.GREETING_OPT_OUT)
        or community_id not in community_ids(user)
    ):
        return [], []
    person_match = (
        Q(name__icontains=q)
        | Q(name_initials__startswith=q.lower())
        | Q(mobile=q)
        | Q(mobile_tail=q)
    )
    house_owner_ids = Ownership.objects.filter(
        community_id=community_id, end_on__isnull=True, house__code__startswith=q
    ).values("owner_id")
    owners = list(
        Owner.objects.filter(community_id=community_id)
        .filter(person_match | Q(id__in=house_owner_ids))
        .order_by("name", "id")[:50]
    )
    residents = list(
        Resident.objects.filter(community_id=community_id)
        .filter(person_match | Q(house__code__startswith=q))
        .select_related("house")
        .order_by("name", "id")[:50]
    )
    return owners, residents
