"""Community activities (社区活动, seed 003 ch.6; DOMAIN.md §6).

- Staff plan an activity (title, time, place, places, the sign-up window, the audience: the
  whole community or some buildings, a fee if any); a draft notice announces it, published
  through the notices app as any announcement.
- Owners sign up on the portal for a house they are linked to, bringing up to `max_party`
  people. A sign-up that fits the places left (and finds nobody waiting) is confirmed; any other
  waits its turn. Cancelling before the deadline gives the places back, and the waiting list
  moves up in order: each waiting sign-up that now fits is confirmed and told.
- The activity row is locked for every change of places, so two owners signing up at the same
  time never both take the last place; one sign-up per house (a partial unique constraint).
- Staff check people in, add photos, and turn an owner's opinion into a suggestion request.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import error_codes
from propdesk.community.models import (
    Activity,
    ActivityFeedback,
    ActivityKind,
    ActivityPhoto,
    ActivitySignup,
    ActivityStatus,
    SignupStatus,
)
from propdesk.community.services._common import clean_when
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.outbox import message_build, messages_enqueue
from propdesk.core.permissions import Perm, has_perm, is_owner_account, require
from propdesk.estates import owner_access
from propdesk.estates.models import Building, Community, House

MAX_AHEAD = datetime.timedelta(days=366)
MAX_LENGTH = datetime.timedelta(days=7)
MAX_CAPACITY = 10_000
MAX_PARTY = 20
MAX_FEE = Decimal("100000.00")
# Staff check people in from a day before the start until a day after the end.
CHECK_IN_SLACK = datetime.timedelta(days=1)


def _now() -> datetime.datetime:
    return timezone.now()


def _whole(field: str, value, *, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(_("Enter a whole number."), code=error_codes.BAD_NUMBER, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a whole number."), code=error_codes.BAD_NUMBER, field=field
        ) from exc
    if not low <= number <= high:
        raise ValidationFailed(
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            code=error_codes.BAD_NUMBER,
            field=field,
        )
    return number


def _fee(value) -> Decimal:
    try:
        fee = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            _("Enter an amount in yuan."), code=error_codes.BAD_NUMBER, field="fee"
        ) from exc
    if not fee.is_finite() or fee < 0 or fee > MAX_FEE or fee != fee.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _("Enter an amount from 0 to %(max)s yuan, to the fen.") % {"max": MAX_FEE},
            code=error_codes.BAD_NUMBER,
            field="fee",
        )
    return fee


def _buildings(community: Community, building_ids) -> list[Building]:
    if building_ids in (None, ""):
        return []
    if not isinstance(building_ids, list | tuple | set):
        raise ValidationFailed(
            _("Send a list of ids."), code=error_codes.BAD_IDS, field="buildings"
        )
    try:
        wanted = {int(b) for b in building_ids if not isinstance(b, bool)}
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Choose from the list."), code=error_codes.BAD_IDS, field="buildings"
        ) from exc
    buildings = list(Building.objects.filter(community_id=community.id, id__in=wanted))
    if len(buildings) != len(wanted) or len(wanted) > 500:
        raise ValidationFailed(
            _("Choose buildings of the activity's community."),
            code=error_codes.NOT_FOUND,
            field="buildings",
        )
    return buildings


def _announcement_body(activity: Activity) -> str:
    when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    closes = timezone.localtime(activity.signup_closes_at).strftime("%Y-%m-%d %H:%M")
    text = _(
        "%(title)s: %(when)s at %(place)s, %(places)d places. Sign up on the owner portal by "
        "%(closes)s."
    ) % {
        "title": activity.title,
        "when": when,
        "place": activity.place,
        "places": activity.capacity,
        "closes": closes,
    }
    if activity.fee:
        text += " " + _("Fee: %(fee)s yuan per person.") % {"fee": activity.fee}
    if activity.description:
        text += "\n\n" + activity.description
    return text


@transaction.atomic
def activity_create(
    *,
    actor,
    community: Community,
    kind: str,
    title: str,
    place: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    description: str = "",
    signup_opens_at: datetime.datetime | None = None,
    signup_closes_at: datetime.datetime | None = None,
    max_party: int = 4,
    fee=Decimal("0.00"),
    building_ids=(),
    announce: bool = True,
) -> Activity:
    """Plan an activity; with `announce` a draft notice to its audience is written for a
    supervisor to publish."""
    require(actor, Perm.ACTIVITY_MANAGE, community.id)
    now = _now()
    kind = clean_choice("kind", kind, ActivityKind)
    title = clean_text("title", title, max_length=100, required=True)
    place = clean_text("place", place, max_length=200, required=True)
    description = clean_text("description", description, max_length=2000)
    starts = clean_when(
        "starts_at", starts_at, required=True, not_before=now, not_after=now + MAX_AHEAD
    )
    ends = clean_when("ends_at", ends_at, required=True)
    if not starts < ends <= starts + MAX_LENGTH:
        raise ValidationFailed(
            _("The activity must end after it starts, within seven days."),
            code=error_codes.BAD_WINDOW,
            field="ends_at",
        )
    opens = clean_when("signup_opens_at", signup_opens_at, not_after=starts) or now
    closes = clean_when("signup_closes_at", signup_closes_at, not_after=starts) or starts
    if closes <= opens or closes <= now:
        raise ValidationFailed(
            _("Sign-up must close after it opens, and not before now."),
            code=error_codes.BAD_WINDOW,
            field="signup_closes_at",
        )
    capacity = _whole("capacity", capacity, low=1, high=MAX_CAPACITY)
    max_party = _whole("max_party", max_party, low=1, high=MAX_PARTY)
    fee = _fee(fee)
    buildings = _buildings(community, building_ids)
    activity = Activity.objects.create(
        community=community,
        kind=kind,
        title=title,
        description=description,
        place=place,
        starts_at=starts,
        ends_at=ends,
        signup_opens_at=opens,
        signup_closes_at=closes,
        capacity=capacity,
        max_party=max_party,
        fee=fee,
        created_by=actor,
        created_at=now,
    )
    activity.buildings.set(buildings)
    audit.record_change(
        actor=actor, instance=activity, action="create", changes={"capacity": [None, capacity]}
    )
    if announce:
        from propdesk.notices.services.announcements import announcement_create

        notice = announcement_create(
            actor=actor,
            community=community,
            title=title,
            body=_announcement_body(activity),
            building_ids=[b.id for b in buildings],
        )
        Activity.objects.filter(pk=activity.pk).update(announcement=notice)
        activity.announcement = notice
    return activity


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    """Call the activity off; every sign-up is told in the app."""
    require(actor, Perm.ACTIVITY_MANAGE, activity.community_id)
    activity = _locked(activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise Conflict(
            _("This activity is already cancelled."),
            code=error_codes.ACTIVITY_CANCELLED,
            field="status",
        )
    reason = clean_text("reason", reason, max_length=300, required=True)
    changes = audit.apply_changes(activity, {"status": ActivityStatus.CANCELLED})
    activity.save(update_fields=["status"])
    audit.record_change(
        actor=actor, instance=activity, action="status", changes=changes, note=reason
    )
    signups = list(
        ActivitySignup.objects.filter(activity=activity)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("user")
    )
    _tell(
        activity,
        signups,
        "cancelled",
        _("%(title)s is cancelled: %(reason)s") % {"title": activity.title, "reason": reason},
    )
    return activity


def _tell(activity: Activity, signups, what: str, text: str) -> None:
    """An in-app message to each sign-up's account (never twice for the same event)."""
    messages_enqueue(
        [
            message_build(
                channel="in_app",
                recipient=s.user.username,
                recipient_user=s.user,
                event="activity." + what,
                subject=activity.title,
                body=text,
                dedupe_key=f"activity:{activity.id}:{what}:{s.id}",
                community_id=activity.community_id,
            )
            for s in signups
        ]
    )


def _in_audience(activity: Activity, house: House) -> bool:
    if house.community_id != activity.community_id:
        return False
    building_ids = [b.id for b in activity.buildings.all()]
    return not building_ids or house.building_id in building_ids


def _owner_house(actor, house: House) -> None:
    if not is_owner_account(actor):
        raise PermissionDenied(_("Sign-up is for owners on the portal."))
    if owner_access.right_on(actor, house.id) is None:
        raise NotFound(_("No such house among yours."), code=error_codes.NOT_FOUND, field="house")


def _promote(activity: Activity) -> list[ActivitySignup]:
    """Confirm the waiting sign-ups, in order, that fit the places left."""
    promoted = []
    for signup in (
        ActivitySignup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "id")
    ):
        if signup.people <= activity.places_left():
            ActivitySignup.objects.filter(pk=signup.pk).update(status=SignupStatus.CONFIRMED)
            activity.confirmed_people += signup.people
            promoted.append(signup)
    if promoted:
        Activity.objects.filter(pk=activity.pk).update(confirmed_people=activity.confirmed_people)
        _tell(
            activity,
            promoted,
            "confirmed",
            _("A place has come free: your sign-up for %(title)s is confirmed.")
            % {"title": activity.title},
        )
    return promoted


@transaction.atomic
def signup_create(*, actor, activity: Activity, house: House, people: int) -> ActivitySignup:
    """An owner signs a house up; confirmed if the party fits, otherwise on the waiting list."""
    _owner_house(actor, house)
    activity = _locked(activity)
    if not _in_audience(activity, house):
        raise ValidationFailed(
            _("This activity is not for your building."),
            code=error_codes.NOT_IN_AUDIENCE,
            field="house",
        )
    now = _now()
    if activity.status == ActivityStatus.CANCELLED:
        raise Conflict(
            _("This activity is cancelled."), code=error_codes.ACTIVITY_CANCELLED, field="activity"
        )
    if not activity.signup_open(now):
        raise Conflict(_("Sign-up is not open."), code=error_codes.SIGNUP_CLOSED, field="activity")
    people = _whole("people", people, low=1, high=activity.max_party)
    if (
        ActivitySignup.objects.filter(activity=activity, house=house)
        .exclude(status=SignupStatus.CANCELLED)
        .exists()
    ):
        raise Conflict(
            _("This house is already signed up."),
            code=error_codes.ALREADY_SIGNED_UP,
            field="house",
        )
    someone_waits = ActivitySignup.objects.filter(
        activity=activity, status=SignupStatus.WAITLISTED
    ).exists()
    fits = people <= activity.places_left() and not someone_waits
    signup = ActivitySignup.objects.create(
        community_id=activity.community_id,
        activity=activity,
        house=house,
        user=actor,
        people=people,
        status=SignupStatus.CONFIRMED if fits else SignupStatus.WAITLISTED,
        created_at=now,
    )
    if fits:
        Activity.objects.filter(pk=activity.pk).update(
            confirmed_people=activity.confirmed_people + people
        )
    audit.record_change(
        actor=actor,
        instance=signup,
        action="create",
        changes={"status": [None, signup.status]},
        house_id=house.id,
    )
    return signup


@transaction.atomic
def signup_cancel(*, actor, signup: ActivitySignup) -> ActivitySignup:
    """Withdraw a sign-up: the owner before the deadline, staff at any time. The places go to
    the waiting list in order."""
    staff = has_perm(actor, Perm.ACTIVITY_MANAGE)
    if staff:
        require(actor, Perm.ACTIVITY_MANAGE, signup.community_id)
    else:
        _owner_house(actor, signup.house)
    activity = _locked(signup.activity)
    signup = ActivitySignup.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(
            _("This sign-up is already cancelled."),
            code=error_codes.ALREADY_CANCELLED,
            field="signup",
        )
    now = _now()
    if not staff and now >= activity.signup_closes_at:
        raise Conflict(
            _("The deadline for cancelling has passed; please call the service centre."),
            code=error_codes.SIGNUP_CLOSED,
            field="signup",
        )
    was = signup.status
    ActivitySignup.objects.filter(pk=signup.pk).update(
        status=SignupStatus.CANCELLED, cancelled_at=now
    )
    signup.refresh_from_db()
    if was == SignupStatus.CONFIRMED:
        activity.confirmed_people -= signup.people
        Activity.objects.filter(pk=activity.pk).update(confirmed_people=activity.confirmed_people)
        if activity.status == ActivityStatus.PUBLISHED:
            _promote(activity)
    audit.record_change(
        actor=actor,
        instance=signup,
        action="status",
        changes={"status": [was, SignupStatus.CANCELLED]},
        house_id=signup.house_id,
    )
    return signup


@transaction.atomic
def signup_check_in(*, actor, signup: ActivitySignup) -> ActivitySignup:
    """Staff tick a confirmed house as present on the day."""
    require(actor, Perm.ACTIVITY_MANAGE, signup.community_id)
    signup = ActivitySignup.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    activity = signup.activity
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(
            _("Only a confirmed sign-up can be checked in."),
            code=error_codes.NOT_DONE,
            field="signup",
        )
    if signup.checked_in_at is not None:
        raise Conflict(
            _("Already checked in."), code=error_codes.ALREADY_CHECKED_IN, field="signup"
        )
    now = _now()
    if not activity.starts_at - CHECK_IN_SLACK <= now <= activity.ends_at + CHECK_IN_SLACK:
        raise Conflict(
            _("Check-in is open on the day of the activity."),
            code=error_codes.NOT_STARTED,
            field="signup",
        )
    ActivitySignup.objects.filter(pk=signup.pk).update(checked_in_at=now, checked_in_by=actor)
    signup.refresh_from_db()
    return signup


@transaction.atomic
def activity_photo_add(*, actor, activity: Activity, photo, caption: str = "") -> ActivityPhoto:
    """A photo of the activity (checked by its bytes) for the record and the owners."""
    from propdesk.tickets.services.photos import photos_check

    require(actor, Perm.ACTIVITY_MANAGE, activity.community_id)
    checked = photos_check([photo], field="photo")
    if not checked:
        raise ValidationFailed(_("Choose a photo."), code=error_codes.REQUIRED, field="photo")
    caption = clean_text("caption", caption, max_length=200)
    upload, content_type, digest = checked[0]
    entry = ActivityPhoto(
        community_id=activity.community_id,
        activity=activity,
        photo_type=content_type,
        caption=caption,
        uploaded_by=actor,
    )
    upload.seek(0)
    suffix = content_type.split("/")[1].replace("jpeg", "jpg")
    entry.photo.save(f"activity-{activity.id}-{digest[:12]}.{suffix}", upload, save=False)
    entry.save()
    return entry


@transaction.atomic
def feedback_add(
    *, actor, activity: Activity, house: House, rating: int, comment: str = ""
) -> ActivityFeedback:
    """An owner of a house that took part rates the activity once it has begun."""
    _owner_house(actor, house)
    if not ActivitySignup.objects.filter(
        activity=activity, house=house, status=SignupStatus.CONFIRMED
    ).exists():
        raise NotFound(
            _("This house did not take part."), code=error_codes.NOT_FOUND, field="house"
        )
    if _now() < activity.starts_at:
        raise Conflict(
            _("Feedback opens when the activity begins."),
            code=error_codes.NOT_STARTED,
            field="activity",
        )
    rating = _whole("rating", rating, low=1, high=5)
    comment = clean_text("comment", comment, max_length=1000)
    if ActivityFeedback.objects.filter(activity=activity, house=house).exists():
        raise Conflict(
            _("This house has already given its feedback."),
            code=error_codes.ALREADY_RECORDED,
            field="house",
        )
    return ActivityFeedback.objects.create(
        community_id=activity.community_id,
        activity=activity,
        house=house,
        user=actor,
        rating=rating,
        comment=comment,
    )


@transaction.atomic
def feedback_to_suggestion(*, actor, feedback: ActivityFeedback):
    """An owner's opinion becomes a suggestion (建议) request for the house."""
    from propdesk.tickets.services.intake import request_create

    require(actor, Perm.ACTIVITY_MANAGE, feedback.community_id)
    feedback = (
        ActivityFeedback.objects.select_for_update()
        .select_related("activity", "house")
        .get(pk=feedback.pk)
    )
    if feedback.request_id is not None:
        raise Conflict(
            _("This opinion is already a request."),
            code=error_codes.ALREADY_SUGGESTION,
            field="feedback",
        )
    if not feedback.comment:
        raise ValidationFailed(
            _("This feedback holds no opinion."), code=error_codes.REQUIRED, field="feedback"
        )
    request = request_create(
        actor=actor,
        kind="suggestion",
        category="service",
        urgency="normal",
        description=_("Opinion at %(title)s: %(text)s")
        % {"title": feedback.activity.title, "text": feedback.comment},
        channel="walk_in",
        house=feedback.house,
    )
    ActivityFeedback.objects.filter(pk=feedback.pk).update(request=request)
    feedback.request = request
    return request
