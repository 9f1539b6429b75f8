"""Patrol inspections (巡检), seed 002 §1.2 and §3.3: points, routes, plans, rounds and checks.

A supervisor sets the points (each with a QR code and a checklist), the routes that order them
and the plans that schedule rounds for a person or a department. The worker schedules the rounds
and closes those whose time has passed. On a round the patroller scans (or types) a point's code,
answers its checklist and may report a finding, which becomes a request on the `patrol` channel
naming the point's place. What was not checked when the round closes is missed.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.audit import record_change
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.estates.models import Building
from propdesk.operations import error_codes
from propdesk.operations.models import (
    CheckOutcome,
    PatrolCheck,
    PatrolPhoto,
    PatrolPlan,
    PatrolPoint,
    PatrolRound,
    PatrolRoute,
    PatrolStop,
    RoundStatus,
)
from propdesk.operations.models.patrol import OPEN_ROUND, QR_PREFIX
from propdesk.operations.services.equipment import _clean_code

MAX_STOPS = 60
# A finding's request: the patroller picks the category; these are the ones a patrol meets.
FINDING_CATEGORIES = (
    "repair_building",
    "repair_electric",
    "repair_water",
    "repair_elevator",
    "security",
    "environment",
    "greening",
    "parking",
)


@transaction.atomic
def point_create(
    *, actor, building: Building, code, name, place: str = "", checklist: str = ""
) -> PatrolPoint:
    """A place patrols check, with the QR code printed for it and its checklist."""
    require(actor, Perm.PATROL_MANAGE, building.community_id)
    code = _clean_code(code)
    name = clean_text("name", name, max_length=100, required=True)
    place = clean_text("place", place, max_length=200)
    checklist = clean_text("checklist", checklist, max_length=2000)
    if PatrolPoint.objects.filter(community_id=building.community_id, code=code).exists():
        raise Conflict(
            _("This community already has a point with this code."),
            code=error_codes.CODE_TAKEN,
            field="code",
        )
    point = PatrolPoint.objects.create(
        community_id=building.community_id,
        building=building,
        code=code,
        name=name,
        place=place,
        checklist="\n".join(line.strip() for line in checklist.splitlines() if line.strip()),
    )
    record_change(actor=actor, instance=point, action="create")
    return point


@transaction.atomic
def route_create(*, actor, community, name, point_codes: list[str]) -> PatrolRoute:
    """A route: the points in the order they are walked."""
    require(actor, Perm.PATROL_MANAGE, community.id)
    name = clean_text("name", name, max_length=100, required=True)
    codes = [_point_code(code) for code in point_codes if str(code or "").strip()]
    if not codes:
        raise ValidationFailed(
            _("Name at least one point."), code=error_codes.ROUTE_EMPTY, field="points"
        )
    if len(codes) > MAX_STOPS:
        raise ValidationFailed(
            _("At most %(n)d points on a route.") % {"n": MAX_STOPS},
            code=error_codes.ROUTE_EMPTY,
            field="points",
        )
    if len(set(codes)) != len(codes):
        raise ValidationFailed(
            _("A point appears twice on the route."),
            code=error_codes.POINT_REPEATED,
            field="points",
        )
    points = {
        p.code: p
        for p in PatrolPoint.objects.filter(community=community, code__in=codes, active=True)
    }
    unknown = [code for code in codes if code not in points]
    if unknown:
        raise ValidationFailed(
            _("No such point in this community: %(codes)s") % {"codes": ", ".join(unknown[:5])},
            code=error_codes.POINT_OTHER_COMMUNITY,
            field="points",
        )
    route = PatrolRoute.objects.create(community=community, name=name)
    PatrolStop.objects.bulk_create(
        PatrolStop(community_id=community.id, route=route, point=points[code], position=n)
        for n, code in enumerate(codes, start=1)
    )
    record_change(actor=actor, instance=route, action="create", note=" → ".join(codes)[:300])
    return route


def _point_code(value) -> str:
    return clean_text("points", value, max_length=40, required=True).lower()


def _clean_patroller(user, community_id: int):
    if user is None:
        return None
    if not (has_perm(user, Perm.PATROL_CHECK) and community_id in community_ids(user)):
        raise ValidationFailed(
            _("This person does not patrol in this community."),
            code=error_codes.BAD_PATROLLER,
            field="assignee",
        )
    return user


@transaction.atomic
def plan_create(
    *,
    actor,
    route: PatrolRoute,
    name,
    every_days,
    starts_on: datetime.date,
    start_time: datetime.time,
    window_minutes,
    department=None,
    assignee=None,
) -> PatrolPlan:
    """Walk `route` every N days at a time (nightly security patrol: 1; weekly cleaning: 7;
    seasonal drainage check: 90), within a window, for a person or a department."""
    require(actor, Perm.PATROL_MANAGE, route.community_id)
    name = clean_text("name", name, max_length=100, required=True)
    every_days = _bounded("every_days", every_days, 1, 366)
    window_minutes = _bounded("window_minutes", window_minutes, 10, 24 * 60)
    if not isinstance(starts_on, datetime.date):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="starts_on")
    if not isinstance(start_time, datetime.time):
        raise ValidationFailed(_("Enter a time as HH:MM."), field="start_time")
    plan = PatrolPlan.objects.create(
        community_id=route.community_id,
        route=route,
        name=name,
        every_days=every_days,
        starts_on=starts_on,
        start_time=start_time,
        window_minutes=window_minutes,
        department=department,
        assignee=_clean_patroller(assignee, route.community_id),
    )
    record_change(actor=actor, instance=plan, action="create")
    return plan


def _bounded(field: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a whole number."), code=error_codes.BAD_FREQUENCY, field=field
        ) from exc
    if not low <= number <= high:
        raise ValidationFailed(
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            code=error_codes.BAD_FREQUENCY,
            field=field,
        )
    return number


def rounds_schedule(*, now: datetime.datetime | None = None, hours_ahead: int = 24) -> int:
    """Create the rounds of every active plan due from now to `hours_ahead` on; safe to run
    twice (one round per plan and time, by constraint). Returns the rounds created."""
    now = now or timezone.now()
    until = now + datetime.timedelta(hours=hours_ahead)
    first, last = timezone.localdate(now), timezone.localdate(until)
    created = 0
    plans = PatrolPlan.objects.filter(active=True, route__active=True).prefetch_related(
        "route__stops"
    )
    for plan in plans:
        window = datetime.timedelta(minutes=plan.window_minutes)
        for day in plan.due_days(first - datetime.timedelta(days=1), last):
            due_at = timezone.make_aware(datetime.datetime.combine(day, plan.start_time))
            if not (now - window <= due_at <= until):
                continue
            try:
                with transaction.atomic():
                    PatrolRound.objects.create(
                        community_id=plan.community_id,
                        plan=plan,
                        route_id=plan.route_id,
                        due_at=due_at,
                        due_by=due_at + window,
                        department_id=plan.department_id,
                        assignee_id=plan.assignee_id,
                        points_due=len(plan.route.stops.all()),
                    )
            except IntegrityError:
                continue  # scheduled already
            created += 1
    return created


def _may_walk(actor, patrol_round: PatrolRound) -> None:
    require(actor, Perm.PATROL_CHECK, patrol_round.community_id)
    if has_perm(actor, Perm.PATROL_MANAGE):
        return
    if patrol_round.assignee_id and patrol_round.assignee_id != actor.pk:
        raise PermissionDenied(
            _("This round is another patroller's."), code=error_codes.NOT_YOUR_ROUND
        )
    if (
        not patrol_round.assignee_id
        and patrol_round.department_id
        and patrol_round.department_id != getattr(actor, "department_id", None)
    ):
        raise PermissionDenied(
            _("This round is another department's."), code=error_codes.NOT_YOUR_ROUND
        )


def _lock_open(patrol_round: PatrolRound) -> PatrolRound:
    patrol_round = PatrolRound.objects.select_for_update().get(pk=patrol_round.pk)
    if patrol_round.status not in OPEN_ROUND:
        raise Conflict(
            _("This round is closed: nothing more is recorded on it."),
            code=error_codes.ROUND_CLOSED,
        )
    return patrol_round


def resolve_point(patrol_round: PatrolRound, code) -> tuple[PatrolPoint, int]:
    """The point a scanned QR code or a typed code names on this round, with its place."""
    text = clean_text("code", code, max_length=120, required=True)
    if text.upper().startswith(QR_PREFIX):
        community_code, _sep, text = text[len(QR_PREFIX) :].partition("/")
        if community_code != patrol_round.community.code:
            raise ValidationFailed(
                _("This QR code belongs to another community's point."),
                code=error_codes.POINT_OTHER_COMMUNITY,
                field="code",
            )
    stop = (
        PatrolStop.objects.filter(route_id=patrol_round.route_id, point__code=text.strip().lower())
        .select_related("point")
        .first()
    )
    if stop is None:
        raise ValidationFailed(
            _("This point is not on the round's route."),
            code=error_codes.POINT_NOT_ON_ROUTE,
            field="code",
        )
    return stop.point, stop.position


def _clean_answers(point: PatrolPoint, failed) -> dict:
    items = point.checklist_items()
    failed = list(failed or [])
    if any(isinstance(n, bool) or not isinstance(n, int) for n in failed) or any(
        not 0 <= n < len(items) for n in failed
    ):
        raise ValidationFailed(
            _("Answer the point's own checklist."), code=error_codes.BAD_ANSWERS, field="failed"
        )
    return {item: (n not in failed) for n, item in enumerate(items)}


@transaction.atomic
def check_record(
    *,
    actor,
    patrol_round: PatrolRound,
    code,
    failed=(),
    note: str = "",
    finding: bool = False,
    category: str = "repair_building",
    photos=(),
) -> PatrolCheck:
    """Record a point checked on a round: its checklist (the items not all right), a note and
    photos. A finding (an item not right, or reported) becomes a request on the patrol channel."""
    from propdesk.tickets.models import Channel
    from propdesk.tickets.services.intake import request_create
    from propdesk.tickets.services.photos import photos_check

    _may_walk(actor, patrol_round)
    patrol_round = _lock_open(patrol_round)
    point, position = resolve_point(patrol_round, code)
    answers = _clean_answers(point, failed)
    note = clean_text("note", note, max_length=500)
    finding = bool(finding) or not all(answers.values())
    if finding and not note:
        raise ValidationFailed(
            _("Say what is wrong: the note becomes the request."),
            code=error_codes.FINDING_NEEDS_NOTE,
            field="note",
        )
    if finding and category not in FINDING_CATEGORIES:
        raise ValidationFailed(_("Choose one of the listed categories."), field="category")
    checked = photos_check(photos)
    if PatrolCheck.objects.filter(patrol_round=patrol_round, point=point).exists():
        raise Conflict(
            _("This point is already recorded on this round."),
            code=error_codes.POINT_ALREADY_CHECKED,
            field="code",
        )
    now = timezone.now()
    request = None
    if finding:
        wrong = [item for item, ok in answers.items() if not ok]
        request = request_create(
            actor=actor,
            kind="repair",
            category=category,
            urgency="normal",
            description=_("Patrol finding at %(point)s (%(place)s): %(note)s")
            % {
                "point": point.name,
                "place": point.place or point.building.name,
                "note": "; ".join([*wrong, note]),
            },
            channel=Channel.PATROL,
            building=point.building,
            location=point.place or point.name,
            photos=[upload for upload, _type, _sha in checked],
        )
    patrol_check = _check_create(
        actor,
        patrol_round,
        point,
        position,
        outcome=CheckOutcome.FINDING if finding else CheckOutcome.OK,
        answers=answers,
        note=note,
        at=now,
        request=request,
    )
    for upload, content_type, sha256 in checked:
        upload.seek(0)
        photo = PatrolPhoto(
            community_id=patrol_round.community_id,
            patrol_check=patrol_check,
            content_type=content_type,
            size_bytes=upload.size,
            sha256=sha256,
            uploaded_at=now,
        )
        photo.file.save(str(getattr(upload, "name", "") or "photo")[-80:], upload, save=False)
        photo.save()
    return patrol_check


def _check_create(actor, patrol_round, point, position, *, outcome, answers, note, at, request):
    latest = patrol_round.checks.aggregate(seq=Max("sequence"), pos=Max("position"))
    patrol_check = PatrolCheck.objects.create(
        community_id=patrol_round.community_id,
        patrol_round=patrol_round,
        point=point,
        position=position,
        sequence=(latest["seq"] or 0) + 1,
        outcome=outcome,
        answers=answers,
        note=note,
        checked_at=at,
        checked_by=actor,
        late=at > patrol_round.due_by,
        out_of_order=bool(latest["pos"]) and position < latest["pos"],
        request=request,
    )
    if patrol_round.status == RoundStatus.SCHEDULED:
        patrol_round.status = RoundStatus.IN_PROGRESS
        patrol_round.started_at = at
        patrol_round.walked_by = actor
        patrol_round.save(update_fields=["status", "started_at", "walked_by"])
    record_change(
        actor=actor,
        instance=patrol_round,
        action="patrol_point_checked",
        changes={"outcome": [None, outcome]},
        note=f"{point.name}: {note}"[:300],
    )
    return patrol_check


@transaction.atomic
def point_skip(*, actor, patrol_round: PatrolRound, code, reason) -> PatrolCheck:
    """Pass a point by with a reason (locked, blocked): it counts as missed."""
    _may_walk(actor, patrol_round)
    patrol_round = _lock_open(patrol_round)
    point, position = resolve_point(patrol_round, code)
    reason = clean_text("reason", reason, max_length=500, required=True)
    if PatrolCheck.objects.filter(patrol_round=patrol_round, point=point).exists():
        raise Conflict(
            _("This point is already recorded on this round."),
            code=error_codes.POINT_ALREADY_CHECKED,
            field="code",
        )
    return _check_create(
        actor,
        patrol_round,
        point,
        position,
        outcome=CheckOutcome.SKIPPED,
        answers={},
        note=reason,
        at=timezone.now(),
        request=None,
    )


def _close(patrol_round: PatrolRound, *, at: datetime.datetime, status: str) -> None:
    checks = list(patrol_round.checks.all())
    checked = [c for c in checks if c.outcome != CheckOutcome.SKIPPED]
    due = patrol_round.route.stops.count()
    patrol_round.status = status
    patrol_round.finished_at = at
    patrol_round.points_due = due
    patrol_round.points_checked = len(checked)
    patrol_round.points_missed = max(due - len(checked), 0)
    patrol_round.points_late = sum(1 for c in checked if c.late)
    patrol_round.save(
        update_fields=[
            "status",
            "finished_at",
            "points_due",
            "points_checked",
            "points_missed",
            "points_late",
        ]
    )


@transaction.atomic
def round_finish(*, actor, patrol_round: PatrolRound) -> PatrolRound:
    """The patroller ends the round: what was not checked is missed, and counted."""
    _may_walk(actor, patrol_round)
    patrol_round = _lock_open(patrol_round)
    _close(patrol_round, at=timezone.now(), status=RoundStatus.DONE)
    record_change(
        actor=actor,
        instance=patrol_round,
        action="patrol_round_finished",
        changes={"points_missed": [None, patrol_round.points_missed]},
    )
    return patrol_round


def rounds_sweep(*, now: datetime.datetime | None = None) -> int:
    """Close the rounds whose time is over: one never started is missed, one begun is done with
    its unchecked points missed. Each round is claimed by one statement, so two workers close it
    once. Returns the rounds closed."""
    now = now or timezone.now()
    closed = 0
    overdue = PatrolRound.objects.filter(status__in=OPEN_ROUND, due_by__lt=now).values_list(
        "pk", "status"
    )
    for pk, status in list(overdue[:1000]):
        final = RoundStatus.MISSED if status == RoundStatus.SCHEDULED else RoundStatus.DONE
        with transaction.atomic():
            if not PatrolRound.objects.filter(pk=pk, status=status).update(status=final):
                continue
            patrol_round = PatrolRound.objects.select_related("route").get(pk=pk)
            _close(patrol_round, at=now, status=final)
            record_change(
                actor=None,
                instance=patrol_round,
                action="patrol_round_overdue",
                changes={"status": [status, final]},
            )
        closed += 1
    return closed
