"""The community API for people (mounted under /api/community/ with the incident router):
activities and their sign-ups, owner visits and forum opinions, birthday greetings and
severe-weather warnings. Staff read and manage within their communities; an owner account reads
the activities open to its houses and signs up, cancels and checks nothing else — for its own
houses only (another house is a 404 naming the field)."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from propdesk.api.lists import paged
from propdesk.api.schemas import MAX_ID, MAX_LIMIT, READ_ERRORS, WRITE_ERRORS, PathId
from propdesk.community import schemas_people as s
from propdesk.community import selectors
from propdesk.community.models import ActivitySignup, OwnerVisitPlan, WeatherWarning
from propdesk.community.services import activities, greetings, visits, warnings
from propdesk.core.errors import NotFound, PermissionDenied, fetch_named, fetch_named_optional
from propdesk.core.permissions import Perm, get_scoped, is_owner_account, require
from propdesk.estates import owner_access
from propdesk.estates.models import Building, House, Owner, Resident
from propdesk.estates.selectors import community_for_user

router = Router(tags=["emergencies and community"])


def _named(queryset, user, pk, field: str, perm: Perm):
    """A record named by id in the body, scoped to the user (404 naming `field` otherwise)."""
    return fetch_named_optional(
        lambda who, row_id: get_scoped(queryset, who, row_id, perm), user, pk, field
    )


# --- activities (社区活动) ----------------------------------------------------------------------


@router.get(
    "/activities",
    response={200: s.ActivityPage, **READ_ERRORS},
    summary="Activities of my communities (staff)",
)
@paged(Perm.ACTIVITY_VIEW)
def activity_list(request, filters: Query[s.ActivityFilters]):
    return selectors.activity_list(
        request.auth, community_id=filters.community, upcoming=filters.upcoming
    )


@router.get(
    "/activities/{activity_id}",
    response={200: s.ActivityDetailOut, **READ_ERRORS},
    summary="An activity with its confirmed and waiting sign-ups (staff)",
)
def activity_detail(request, activity_id: PathId):
    activity = selectors.activity_for_user(request.auth, activity_id)
    detail = selectors.activity_detail(activity)
    activity.confirmed = detail["confirmed"]
    activity.waitlisted = detail["waitlisted"]
    activity.checked_in_people = detail["checked_in_people"]
    return activity


def _owner_row(row: dict):
    activity = row["activity"]
    activity.houses = [h.id for h in row["houses"]]
    activity.my_signups = row["signups"]
    activity.signup_open_now = row["open"]
    return activity


@router.get(
    "/my/activities",
    response={200: list[s.OwnerActivityOut], **READ_ERRORS},
    summary="Activities open to my houses, with my sign-ups (owner)",
)
def my_activities(request):
    return [_owner_row(row) for row in selectors.activities_for_owner(request.auth)]


@router.get(
    "/my/activities/{activity_id}",
    response={200: s.OwnerActivityOut, **READ_ERRORS},
    summary="An activity open to my houses (owner)",
)
def my_activity(request, activity_id: PathId):
    return _owner_row(selectors.activity_for_owner(request.auth, activity_id))


def _my_house(user, house_id: int) -> House:
    if house_id not in owner_access.house_ids(user):
        raise NotFound(_("No such house among yours."), field="house")
    return House.objects.get(pk=house_id)


@router.post(
    "/my/activities/{activity_id}/signups",
    response={201: s.SignupOut, **WRITE_ERRORS},
    summary="Sign one of my houses up: confirmed while the party fits, waitlisted otherwise",
)
def signup_create(request, activity_id: PathId, payload: s.SignupIn):
    user = request.auth
    if not is_owner_account(user):
        raise PermissionDenied(_("Sign-up is for owners on the portal."))
    row = selectors.activity_for_owner(user, activity_id)
    house = _my_house(user, payload.house)
    signup = activities.signup_create(
        actor=user, activity=row["activity"], house=house, people=payload.people
    )
    return Status(201, ActivitySignup.objects.select_related("house").get(pk=signup.pk))


def _signup_for(user, signup_id: int) -> ActivitySignup:
    signups = ActivitySignup.objects.select_related("house", "activity")
    if is_owner_account(user):
        signup = signups.filter(pk=signup_id, house_id__in=owner_access.house_ids(user)).first()
        if signup is None:
            raise NotFound(field="signup")
        return signup
    return get_scoped(signups, user, signup_id, Perm.ACTIVITY_MANAGE)


@router.post(
    "/signups/{signup_id}/cancel",
    response={200: s.SignupOut, **WRITE_ERRORS},
    summary="Cancel a sign-up (the owner before the deadline, staff at any time)",
)
def signup_cancel(request, signup_id: PathId):
    user = request.auth
    signup = activities.signup_cancel(actor=user, signup=_signup_for(user, signup_id))
    return ActivitySignup.objects.select_related("house").get(pk=signup.pk)


@router.post(
    "/signups/{signup_id}/check-in",
    response={200: s.SignupOut, **WRITE_ERRORS},
    summary="Check a confirmed sign-up in on the day (staff)",
)
def signup_check_in(request, signup_id: PathId):
    user = request.auth
    signup = get_scoped(
        ActivitySignup.objects.select_related("house", "activity"),
        user,
        signup_id,
        Perm.ACTIVITY_MANAGE,
    )
    signup = activities.signup_check_in(actor=user, signup=signup)
    return ActivitySignup.objects.select_related("house").get(pk=signup.pk)


# --- birthday greetings (生日祝福) ----------------------------------------------------------------


@router.post(
    "/greetings/opt-outs",
    response={200: s.GreetingStateOut, **WRITE_ERRORS},
    summary="Turn a person's birthday greetings off (or on again)",
)
def greeting_opt_out(request, payload: s.GreetingOptOutIn):
    user = request.auth
    require(user, Perm.GREETING_OPT_OUT)
    owner = _named(Owner.objects.all(), user, payload.owner, "owner", Perm.GREETING_OPT_OUT)
    resident = _named(
        Resident.objects.all(), user, payload.resident, "resident", Perm.GREETING_OPT_OUT
    )
    state = greetings.greeting_opt_out_set(
        actor=user, owner=owner, resident=resident, opted_out=payload.opted_out
    )
    return {"opted_out": state}


@router.put(
    "/my/greetings",
    response={200: s.GreetingStateOut, **WRITE_ERRORS},
    summary="My birthday greetings: off or on (owner)",
)
def my_greetings(request, payload: s.GreetingMineIn):
    state = greetings.greeting_opt_out_mine(actor=request.auth, opted_out=payload.opted_out)
    return {"opted_out": state}


# --- severe-weather warnings (天气预警) -----------------------------------------------------------


@router.get(
    "/warnings",
    response={200: s.WeatherWarningPage, **READ_ERRORS},
    summary="Severe-weather warnings of my communities",
)
@paged(Perm.INCIDENT_VIEW)
def warning_list(request, filters: Query[s.WarningFilters]):
    return selectors.weather_warning_list(request.auth, community_id=filters.community)


@router.post(
    "/warnings",
    response={201: list[s.WeatherWarningOut], **WRITE_ERRORS},
    summary="Schedule a severe-weather warning to chosen communities (care residents first)",
)
def warning_schedule(request, payload: s.WeatherWarningIn):
    user = request.auth
    require(user, Perm.WEATHER_WARNING)
    communities = [
        fetch_named(
            community_for_user, user, community_id, Perm.WEATHER_WARNING, field="communities"
        )
        for community_id in payload.communities
    ]
    created = warnings.weather_warning_schedule(
        actor=user,
        communities=communities,
        title=payload.title,
        text=payload.text,
        send_at=payload.send_at,
    )
    return Status(201, created)


@router.post(
    "/warnings/{warning_id}/cancel",
    response={200: s.WeatherWarningOut, **WRITE_ERRORS},
    summary="Cancel a scheduled warning before it is sent",
)
def warning_cancel(request, warning_id: PathId):
    user = request.auth
    warning = get_scoped(WeatherWarning.objects.all(), user, warning_id, Perm.WEATHER_WARNING)
    return warnings.weather_warning_cancel(actor=user, warning=warning)


# --- owner visits (业主走访) and forums (座谈会) -----------------------------------------------


@router.put(
    "/visit-plans/{building_id}",
    response={200: s.VisitPlanOut, **WRITE_ERRORS},
    summary="Plan the owner visits of a building (how often)",
)
def visit_plan_set(request, building_id: PathId, payload: s.VisitPlanIn):
    user = request.auth
    building = get_scoped(Building.objects.all(), user, building_id, Perm.ACTIVITY_MANAGE)
    plan = visits.visit_plan_set(actor=user, building=building, every_days=payload.every_days)
    return OwnerVisitPlan.objects.select_related("building").get(pk=plan.pk)


@router.get(
    "/owner-visits/overdue",
    response={200: list[s.VisitPlanOut], **READ_ERRORS},
    summary="Buildings whose owner visit is late",
)
def visit_plans_overdue(request, community: int | None = Query(None, ge=1, le=MAX_ID)):  # noqa: B008
    user = request.auth
    require(user, Perm.ACTIVITY_VIEW)
    return list(selectors.visit_plans_overdue(user, community_id=community)[:MAX_LIMIT])


@router.post(
    "/owner-visits",
    response={201: s.OwnerVisitOut, **WRITE_ERRORS},
    summary="Record an owner visit; its opinions become a suggestion request",
)
def owner_visit_record(request, payload: s.OwnerVisitIn):
    user = request.auth
    require(user, Perm.ACTIVITY_MANAGE)
    house = _named(House.objects.all(), user, payload.house, "house", Perm.ACTIVITY_MANAGE)
    visit = visits.owner_visit_record(
        actor=user,
        house=house,
        visited_on=payload.visited_on,
        opinions=payload.opinions,
        note=payload.note,
    )
    return Status(201, visit)


@router.get(
    "/owner-visits/months",
    response={200: list[s.VisitMonthOut], **READ_ERRORS},
    summary="Owner visits and the suggestions they raised, per month of a year",
)
def owner_visit_months(
    request,
    community: int = Query(..., ge=1, le=MAX_ID),  # noqa: B008
    year: int = Query(..., ge=2000, le=2100),  # noqa: B008
):
    user = request.auth
    found = fetch_named(community_for_user, user, community, Perm.ACTIVITY_VIEW, field="community")
    return selectors.owner_visits_by_month(user, community_id=found.id, year=year)


@router.post(
    "/activities/{activity_id}/opinions",
    response={201: s.ForumOpinionOut, **WRITE_ERRORS},
    summary="Record an opinion heard at an owner forum; it becomes a suggestion request",
)
def forum_opinion(request, activity_id: PathId, payload: s.ForumOpinionIn):
    user = request.auth
    activity = selectors.activity_for_user(user, activity_id, Perm.ACTIVITY_MANAGE)
    house = _named(House.objects.all(), user, payload.house, "house", Perm.ACTIVITY_MANAGE)
    opinion = visits.forum_opinion_record(
        actor=user, activity=activity, house=house, text=payload.text
    )
    return Status(201, opinion)
