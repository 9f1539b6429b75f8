"""Emergency incidents (突发事件, seed 003 ch.4; DOMAIN.md §5).

- Opening an incident starts its community's plan (every step a task with its department and
  due time), tells the supervisors and the on-duty staff of the plan's departments at once on
  every channel they have, and — unless it is a drill — broadcasts to every resident of the
  affected scope.
- A broadcast is written in the staff member's transaction; after commit the worker queues its
  messages (`broadcast_deliver`): every current owner and resident of an affected house, once per
  person and channel (dedupe keys `incident:<id>:b<broadcast>:<channel>:<address>`), marked
  urgent so the outbox ignores quiet hours and switched-off channels. The claim is one
  conditional UPDATE, so of two workers only one queues; the every-minute sweep takes over a
  broadcast whose worker died.
- While it is active, a call or request about an affected house is linked to it instead of
  opening a duplicate; the count of linked calls is on the incident.
- Closing records the cause, the measures and the prevention items (each can become a request);
  the after-action report (`community.report`) is written from the same rows.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from propdesk.accounts.models import User
from propdesk.community import error_codes
from propdesk.community.models import (
    BroadcastKind,
    DutyShift,
    FollowUpItem,
    Incident,
    IncidentBroadcast,
    IncidentEntry,
    IncidentKind,
    IncidentLink,
    IncidentStatus,
    IncidentTask,
    Severity,
    TimelineAction,
)
from propdesk.community.plans import FOLLOW_UP_CATEGORY
from propdesk.community.services._common import clean_lines, clean_when
from propdesk.community.services.plans import plan_steps
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.numbering import next_number
from propdesk.core.outbox import message_build, messages_enqueue
from propdesk.core.permissions import Perm, holders_q, is_staff_member, require, staff_q
from propdesk.estates.models import Building, Community, House, Unit
from propdesk.notices.rendering import render_notification
from propdesk.notices.services.announcements import houses_audience
from propdesk.notices.services.delivery import people_notify

logger = logging.getLogger("propdesk.community")

MAX_RESTORE_AHEAD = datetime.timedelta(days=30)
MAX_TEXT = 500
# A broadcast claimed this long ago and still not queued: its worker died; take it over.
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)
# A broadcast this old and not yet queued: its task was lost; the sweep queues it.
DELIVERY_OVERDUE_AFTER = datetime.timedelta(minutes=1)


def _now() -> datetime.datetime:
    return timezone.now()


def _local(when: datetime.datetime | None) -> str:
    if when is None:
        return ""
    return formats.date_format(timezone.localtime(when), "Y-m-d H:i")


def _entry(incident: Incident, *, actor, action: str, note: str = "", data=None, at=None):
    return IncidentEntry.objects.create(
        community_id=incident.community_id,
        incident=incident,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        note=note,
        data=data or {},
        at=at or _now(),
    )


def incident_number_next(community: Community) -> str:
    """A-YJ2026-0001: the community code, 应急 and a gap-free counter per community and year."""
    year = timezone.localtime(_now()).year
    value = next_number(f"incident:{community.id}:{year}")
    return f"{community.code}-YJ{year}-{value:04d}"


# --- scope ------------------------------------------------------------------------------------


def _clean_ids(field: str, values) -> list[int]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple | set):
        raise ValidationFailed(_("Send a list of ids."), code=error_codes.BAD_IDS, field=field)
    try:
        ids = sorted({int(v) for v in values if not isinstance(v, bool)})
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Choose from the list."), code=error_codes.BAD_IDS, field=field
        ) from exc
    if len(ids) > 500:
        raise ValidationFailed(_("Too many items chosen."), code=error_codes.TOO_MANY, field=field)
    return ids


def _scope(community: Community, whole_community, building_ids, unit_ids):
    buildings_wanted = _clean_ids("buildings", building_ids)
    units_wanted = _clean_ids("units", unit_ids)
    buildings = list(Building.objects.filter(community_id=community.id, id__in=buildings_wanted))
    if len(buildings) != len(buildings_wanted):
        raise ValidationFailed(
            _("Choose buildings of the incident's community."),
            code=error_codes.BAD_SCOPE,
            field="buildings",
        )
    units = list(Unit.objects.filter(community_id=community.id, id__in=units_wanted))
    if len(units) != len(units_wanted):
        raise ValidationFailed(
            _("Choose units of the incident's community."),
            code=error_codes.BAD_SCOPE,
            field="units",
        )
    whole = bool(whole_community)
    if not whole and not buildings and not units:
        raise ValidationFailed(
            _("Name the affected buildings or units, or the whole community."),
            code=error_codes.BAD_SCOPE,
            field="buildings",
        )
    if whole:
        buildings, units = [], []
    return whole, buildings, units


def affected_houses(incident: Incident):
    """The houses of the incident's scope (a queryset of its community's houses)."""
    houses = House.objects.filter(community_id=incident.community_id)
    if incident.whole_community:
        return houses
    building_ids = [b.id for b in incident.buildings.all()]
    unit_ids = [u.id for u in incident.units.all()]
    return houses.filter(Q(building_id__in=building_ids) | Q(unit_id__in=unit_ids))


def house_in_scope(incident: Incident, house: House) -> bool:
    if house.community_id != incident.community_id:
        return False
    if incident.whole_community:
        return True
    return incident.buildings.filter(id=house.building_id).exists() or (
        house.unit_id is not None and incident.units.filter(id=house.unit_id).exists()
    )


def scope_label(incident: Incident) -> str:
    if incident.whole_community:
        return _("The whole community")
    parts = [_("Building %(n)s") % {"n": b.number} for b in incident.buildings.all()]
    parts += [
        _("Building %(b)s unit %(u)s") % {"b": u.building.number, "u": u.number}
        for u in incident.units.select_related("building")
    ]
    return "、".join(parts)


# --- staff on duty ------------------------------------------------------------------------------


def staff_to_alert(incident: Incident, *, at: datetime.datetime) -> list[User]:
    """The supervisors of the community, and for each department of the plan those on duty now
    (the roster); a department with nobody on the roster at this time: all its staff there."""
    in_community = User.objects.filter(staff_q(), communities__id=incident.community_id)
    # Who may close an incident commands it: the supervisors are told at once.
    people = {u.id: u for u in in_community.filter(holders_q(Perm.INCIDENT_CLOSE))}
    department_ids = {t.department_id for t in incident.tasks.all() if t.department_id}
    on_duty = list(
        in_community.filter(
            id__in=DutyShift.objects.filter(
                community_id=incident.community_id, starts_at__lte=at, ends_at__gt=at
            ).values("user_id")
        )
    )
    for department_id in sorted(department_ids):
        rostered = [u for u in on_duty if u.department_id == department_id]
        if not rostered:
            rostered = list(in_community.filter(department_id=department_id))
        people.update((u.id, u) for u in rostered)
    return sorted(people.values(), key=lambda u: u.id)


def _staff_alert(incident: Incident, *, at) -> int:
    """Tell the staff to alert at once on every channel they have (in-app, SMS, email)."""
    staff = staff_to_alert(incident, at=at)
    with translation.override("zh-hans"):
        context = {
            "community": incident.community.name,
            "number": incident.number,
            "kind": str(IncidentKind(incident.kind).label)
            + (_("(drill)") if incident.is_drill else ""),
            "place": incident.place,
            "severity": str(Severity(incident.severity).label),
            "steps": "；".join(t.title for t in incident.tasks.all()),
        }
    messages = []
    for user in staff:
        addresses = [("in_app", user.username)]
        if user.mobile:
            addresses.append(("sms", user.mobile))
        if user.email:
            addresses.append(("email", user.email))
        for channel, recipient in addresses:
            text = render_notification(
                "incident.staff", context, incident.community_id, channel=channel
            )
            messages.append(
                message_build(
                    channel=channel,
                    recipient=recipient,
                    recipient_user=user,
                    event="incident.staff",
                    subject=text.subject,
                    body=text.body,
                    dedupe_key=f"incident:{incident.id}:staff:{channel}:{recipient}",
                    community_id=incident.community_id,
                    urgent=True,
                )
            )
    messages_enqueue(messages)
    _entry(
        incident,
        actor=None,
        action=TimelineAction.STAFF_NOTIFIED,
        note="、".join(u.display_name for u in staff),
        data={"staff": [u.id for u in staff], "messages": len(messages)},
        at=at,
    )
    return len(staff)


# --- opening ------------------------------------------------------------------------------------


def default_broadcast_text(
    *, community: Community, kind: str, place: str, expected: datetime.datetime | None
) -> str:
    """The first notice, as seed 003 words it: what happened where, that it is being handled,
    and when it should be restored."""
    with translation.override("zh-hans"):
        what = _("%(place)s: %(kind)s. We are dealing with it urgently.") % {
            "place": place,
            "kind": IncidentKind(kind).label,
        }
        if expected is not None:
            what += _(" Expected to be restored by %(time)s.") % {"time": _local(expected)}
        return what + _(" We apologise for the inconvenience.")


def _check_source_request(actor, community: Community, source_request):
    if source_request is None:
        return None
    if source_request.community_id != community.id:
        raise NotFound(
            _("No such request in this community."),
            code=error_codes.NOT_FOUND,
            field="source_request",
        )
    require(actor, Perm.REQUEST_VIEW, community.id)
    return source_request


@transaction.atomic
def incident_open(
    *,
    actor,
    community: Community,
    kind: str,
    severity: str,
    place: str,
    description: str = "",
    whole_community: bool = False,
    building_ids=(),
    unit_ids=(),
    expected_restore_at: datetime.datetime | None = None,
    is_drill: bool = False,
    source_request=None,
    broadcast_text: str = "",
) -> Incident:
    """Open an incident: number it, start the plan's steps as tasks, alert the staff, and
    (not for a drill) broadcast the first notice to the affected residents."""
    require(actor, Perm.INCIDENT_OPEN, community.id)
    now = _now()
    kind = clean_choice("kind", kind, IncidentKind)
    severity = clean_choice("severity", severity, Severity)
    place = clean_text("place", place, max_length=200, required=True)
    description = clean_text("description", description, max_length=2000)
    whole, buildings, units = _scope(community, whole_community, building_ids, unit_ids)
    expected = clean_when(
        "expected_restore_at",
        expected_restore_at,
        not_before=now - datetime.timedelta(minutes=5),
        not_after=now + MAX_RESTORE_AHEAD,
    )
    broadcast_text = clean_text("broadcast_text", broadcast_text, max_length=MAX_TEXT)
    source_request = _check_source_request(actor, community, source_request)
    incident = Incident.objects.create(
        community=community,
        number=incident_number_next(community),
        kind=kind,
        severity=severity,
        place=place,
        description=description,
        is_drill=bool(is_drill),
        whole_community=whole,
        expected_restore_at=expected,
        source_request=source_request,
        opened_at=now,
        opened_by=actor,
    )
    incident.buildings.set(buildings)
    incident.units.set(units)
    IncidentTask.objects.bulk_create(
        IncidentTask(
            community=community,
            incident=incident,
            position=step.position,
            title=step.title,
            department=step.department,
            due_at=now + datetime.timedelta(minutes=step.due_minutes),
        )
        for step in plan_steps(community=community, kind=kind)
    )
    _entry(
        incident,
        actor=actor,
        action=TimelineAction.OPENED,
        note=description or place,
        data={
            "drill": incident.is_drill,
            "severity": severity,
            "expected": expected.isoformat() if expected else None,
        },
        at=now,
    )
    audit.record_change(
        actor=actor,
        instance=incident,
        action="create",
        changes={"status": [None, IncidentStatus.ACTIVE]},
    )
    incident.staff_notified = _staff_alert(incident, at=now)
    incident.save(update_fields=["staff_notified"])
    if source_request is not None:
        _link(incident, actor=actor, house=source_request.house, request=source_request, note="")
    if not incident.is_drill:
        _broadcast(
            incident,
            actor=actor,
            kind=BroadcastKind.OPENED,
            text=broadcast_text
            or default_broadcast_text(
                community=community, kind=kind, place=place, expected=expected
            ),
            expected=expected,
            at=now,
        )
    return incident


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("community").get(pk=incident.pk)


def _active(incident: Incident) -> Incident:
    incident = _locked(incident)
    if not incident.is_active:
        raise Conflict(
            _("This incident is closed."), code=error_codes.INCIDENT_CLOSED, field="status"
        )
    return incident


# --- broadcasts -------------------------------------------------------------------------------


def _broadcast(incident: Incident, *, actor, kind: str, text: str, expected, at):
    broadcast = IncidentBroadcast.objects.create(
        community_id=incident.community_id,
        incident=incident,
        kind=kind,
        text=text,
        expected_restore_at=expected,
        created_at=at,
        created_by=actor,
    )
    _entry(
        incident,
        actor=actor,
        action=TimelineAction.BROADCAST,
        note=text,
        data={"broadcast": broadcast.id, "kind": kind},
        at=at,
    )
    broadcast_id = broadcast.id
    transaction.on_commit(lambda: _deliver_soon(broadcast_id))
    return broadcast


def _deliver_soon(broadcast_id: int) -> None:
    from propdesk.community.tasks import incident_broadcast_task

    try:
        incident_broadcast_task(broadcast_id)
    except Exception:  # a queue that is down: the every-minute sweep queues it anyway
        logger.exception("incident broadcast %s could not be handed to the worker", broadcast_id)


@transaction.atomic
def incident_broadcast(
    *,
    actor,
    incident: Incident,
    text: str,
    kind: str = BroadcastKind.UPDATE,
    expected_restore_at: datetime.datetime | None = None,
) -> IncidentBroadcast:
    """Broadcast an update (or the restoration) to every resident of the scope again; a new
    expected restoration time is recorded on the incident. Drills are never broadcast."""
    require(actor, Perm.INCIDENT_BROADCAST, incident.community_id)
    incident = _active(incident)
    if incident.is_drill:
        raise Conflict(
            _("A drill is never broadcast to residents."), code=error_codes.DRILL, field="is_drill"
        )
    kind = clean_choice("kind", kind, BroadcastKind)
    if kind == BroadcastKind.OPENED:  # the first notice goes out with the opening only
        raise ValidationFailed(
            _("Choose an update or the restoration."),
            code=error_codes.BAD_BROADCAST_KIND,
            field="kind",
        )
    text = clean_text("text", text, max_length=MAX_TEXT, required=True)
    now = _now()
    expected = clean_when(
        "expected_restore_at",
        expected_restore_at,
        not_before=now - datetime.timedelta(minutes=5),
        not_after=now + MAX_RESTORE_AHEAD,
    )
    changes = {}
    if expected is not None and expected != incident.expected_restore_at:
        changes = audit.apply_changes(incident, {"expected_restore_at": expected})
    if kind == BroadcastKind.RESTORED and incident.restored_at is None:
        changes.update(audit.apply_changes(incident, {"restored_at": now}))
    if changes:
        incident.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=incident, action="update", changes=changes)
    return _broadcast(
        incident,
        actor=actor,
        kind=kind,
        text=text,
        expected=incident.expected_restore_at,
        at=now,
    )


def _claim(broadcast_id: int, now: datetime.datetime) -> bool:
    """Take the broadcast for queuing: one conditional UPDATE, which one worker wins."""
    return (
        IncidentBroadcast.objects.filter(id=broadcast_id, delivered_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now)
        == 1
    )


def broadcast_deliver(broadcast_id: int) -> bool:
    """Queue one broadcast's messages (the worker, after commit); True when this call did.

    Every current owner and resident of an affected house is told once per channel they have
    (in-app and SMS, email where they gave one), urgent: at once, even in quiet hours. A second
    worker loses the claim and does nothing; a rerun after a crash adds nothing (dedupe keys)."""
    now = _now()
    if not _claim(broadcast_id, now):
        return False
    with transaction.atomic():
        broadcast = IncidentBroadcast.objects.select_related("incident", "incident__community").get(
            id=broadcast_id
        )
        incident = broadcast.incident
        with translation.override("zh-hans"):
            context = {
                "community": incident.community.name,
                "kind": str(IncidentKind(incident.kind).label),
                "place": incident.place,
                "text": broadcast.text,
                "expected": _local(broadcast.expected_restore_at) or _("to be announced"),
            }
        people = houses_audience(
            community_id=incident.community_id, houses=affected_houses(incident)
        )
        reached = people_notify(
            people=people,
            event="incident.broadcast",
            outbox_event="incident.broadcast",
            context=context,
            community=incident.community,
            dedupe_base=f"incident:{incident.id}:b{broadcast.id}",
            urgent=True,
        )
        IncidentBroadcast.objects.filter(id=broadcast_id).update(
            delivered_at=_now(), recipients=reached
        )
        _entry(
            incident,
            actor=None,
            action=TimelineAction.BROADCAST_QUEUED,
            note="",
            data={"broadcast": broadcast_id, "recipients": reached},
        )
    return True


def broadcasts_deliver_overdue(*, now: datetime.datetime | None = None) -> int:
    """Queue the broadcasts whose task was lost or whose worker died (every minute); return how
    many this pass queued. Each in its own transaction; one that fails waits for the next pass."""
    now = now or _now()
    ids = list(
        IncidentBroadcast.objects.filter(
            delivered_at__isnull=True, created_at__lte=now - DELIVERY_OVERDUE_AFTER
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:20]
    )
    done = 0
    for broadcast_id in ids:
        try:
            done += broadcast_deliver(broadcast_id)
        except Exception:
            logger.exception("incident broadcast %s: queuing failed", broadcast_id)
    return done


# --- tasks, notes, links ----------------------------------------------------------------------


@transaction.atomic
def task_done(*, actor, task: IncidentTask, note: str = "") -> IncidentTask:
    """Tick a step of the plan as done."""
    require(actor, Perm.INCIDENT_WORK, task.community_id)
    incident = _active(task.incident)
    task = IncidentTask.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise Conflict(_("This step is already done."), code=error_codes.ALREADY_DONE, field="task")
    note = clean_text("note", note, max_length=300)
    now = _now()
    IncidentTask.objects.filter(pk=task.pk).update(done_at=now, done_by=actor, note=note)
    task.refresh_from_db()
    _entry(
        incident,
        actor=actor,
        action=TimelineAction.STEP_DONE,
        note=task.title + (f"：{note}" if note else ""),
        data={"task": task.id, "late": task.due_at < now},
        at=now,
    )
    return task


@transaction.atomic
def task_undo(*, actor, task: IncidentTask) -> IncidentTask:
    """Take back a tick made by mistake."""
    require(actor, Perm.INCIDENT_WORK, task.community_id)
    incident = _active(task.incident)
    task = IncidentTask.objects.select_for_update().get(pk=task.pk)
    if task.done_at is None:
        raise Conflict(_("This step is not done yet."), code=error_codes.NOT_DONE, field="task")
    IncidentTask.objects.filter(pk=task.pk).update(done_at=None, done_by=None, note="")
    task.refresh_from_db()
    _entry(incident, actor=actor, action=TimelineAction.STEP_UNDONE, note=task.title)
    return task


def _link(incident: Incident, *, actor, house, request, note: str, caller_name: str = ""):
    link = IncidentLink.objects.create(
        community_id=incident.community_id,
        incident=incident,
        house=house,
        request=request,
        caller_name=caller_name,
        note=note,
        created_by=actor,
    )
    Incident.objects.filter(pk=incident.pk).update(linked_count=incident.linked_count + 1)
    incident.linked_count += 1
    what = request.number if request is not None else (house.code if house else caller_name)
    _entry(
        incident,
        actor=actor,
        action=TimelineAction.LINKED,
        note=" · ".join(part for part in (what, caller_name, note) if part),
        data={"link": link.id, "request": getattr(request, "id", None)},
    )
    return link


@transaction.atomic
def incident_link(
    *,
    actor,
    incident: Incident,
    house: House | None = None,
    request=None,
    caller_name: str = "",
    note: str = "",
) -> IncidentLink:
    """Record a call (or an existing request) about the incident on it instead of opening a
    duplicate; the house must be in the incident's scope."""
    require(actor, Perm.INCIDENT_WORK, incident.community_id)
    incident = _active(incident)
    caller_name = clean_text("caller_name", caller_name, max_length=100)
    note = clean_text("note", note, max_length=500)
    if request is not None:
        if request.community_id != incident.community_id:
            raise NotFound(
                _("No such request in this community."),
                code=error_codes.NOT_FOUND,
                field="request",
            )
        if IncidentLink.objects.filter(incident=incident, request=request).exists():
            raise Conflict(
                _("This request is already linked to the incident."),
                code=error_codes.ALREADY_LINKED,
                field="request",
            )
        house = house or request.house
    if house is None and request is None:
        raise ValidationFailed(
            _("Name the caller's house or a request."),
            code=error_codes.LINK_REQUIRED,
            field="house",
        )
    if house is not None and not house_in_scope(incident, house):
        raise ValidationFailed(
            _("This house is not affected by the incident."),
            code=error_codes.OUTSIDE_SCOPE,
            field="house",
        )
    if request is None and not note:
        raise ValidationFailed(
            _("This field is required."), code=error_codes.REQUIRED, field="note"
        )
    return _link(
        incident, actor=actor, house=house, request=request, note=note, caller_name=caller_name
    )


@transaction.atomic
def incident_note(*, actor, incident: Incident, note: str, photo=None) -> IncidentEntry:
    """A note on the timeline, with a photo if one is given (checked by its bytes)."""
    from propdesk.tickets.services.photos import photos_check

    require(actor, Perm.INCIDENT_WORK, incident.community_id)
    incident = _active(incident)
    checked = photos_check([photo] if photo is not None else [], field="photo")
    note = clean_text("note", note, max_length=2000, required=not checked)
    entry = IncidentEntry(
        community_id=incident.community_id,
        incident=incident,
        actor=actor,
        action=TimelineAction.PHOTO if checked else TimelineAction.NOTE,
        note=note,
        at=_now(),
    )
    if checked:
        upload, content_type, digest = checked[0]
        suffix = content_type.split("/")[1].replace("jpeg", "jpg")
        upload.seek(0)
        entry.photo_type = content_type
        entry.photo.save(f"{incident.number}-{digest[:12]}.{suffix}", upload, save=False)
    entry.save()
    return entry


# --- closing ----------------------------------------------------------------------------------


@transaction.atomic
def incident_close(
    *,
    actor,
    incident: Incident,
    cause: str,
    measures: str,
    prevention=(),
    restored_at: datetime.datetime | None = None,
) -> Incident:
    """Close with the cause, the measures taken and the prevention items (003 ch.4 §4, §6)."""
    require(actor, Perm.INCIDENT_CLOSE, incident.community_id)
    incident = _active(incident)
    now = _now()
    cause = clean_text("cause", cause, max_length=2000, required=True)
    measures = clean_text("measures", measures, max_length=2000, required=True)
    items = clean_lines("prevention", prevention, max_items=20, max_length=300)
    restored = clean_when("restored_at", restored_at, not_before=incident.opened_at, not_after=now)
    values = {
        "status": IncidentStatus.CLOSED,
        "closed_at": now,
        "closed_by": actor,
        "cause": cause,
        "measures": measures,
        "restored_at": restored or incident.restored_at or now,
    }
    changes = audit.apply_changes(incident, values)
    incident.save(update_fields=list(values))
    FollowUpItem.objects.bulk_create(
        FollowUpItem(community_id=incident.community_id, incident=incident, position=i, text=t)
        for i, t in enumerate(items, start=1)
    )
    _entry(
        incident,
        actor=actor,
        action=TimelineAction.CLOSED,
        note=cause,
        data={"prevention": items},
        at=now,
    )
    audit.record_change(actor=actor, instance=incident, action="status", changes=changes)
    return incident


@transaction.atomic
def follow_up_request(*, actor, item: FollowUpItem, building: Building | None = None):
    """Turn a prevention item into a request (repair, routed as the incident's kind suggests),
    for the given building or the incident's first affected one."""
    from propdesk.tickets.services.intake import request_create

    require(actor, Perm.REQUEST_CREATE, item.community_id)
    item = FollowUpItem.objects.select_for_update().select_related("incident").get(pk=item.pk)
    if item.request_id is not None:
        raise Conflict(
            _("This item is already a request."), code=error_codes.ALREADY_LINKED, field="item"
        )
    incident = item.incident
    if building is not None and building.community_id != item.community_id:
        raise NotFound(
            _("No such building in this community."),
            code=error_codes.NOT_FOUND,
            field="building",
        )
    if building is None:
        building = incident.buildings.order_by("id").first()
    if building is None:
        unit = incident.units.select_related("building").order_by("id").first()
        building = unit.building if unit is not None else None
    if building is None:
        raise ValidationFailed(
            _("Choose the building the work is for."),
            code=error_codes.HOUSE_REQUIRED,
            field="building",
        )
    request = request_create(
        actor=actor,
        kind="repair",
        category=FOLLOW_UP_CATEGORY[incident.kind],
        urgency="normal",
        description=_("Prevention after incident %(number)s: %(text)s")
        % {"number": incident.number, "text": item.text},
        channel="patrol",
        building=building,
        location=incident.place,
    )
    FollowUpItem.objects.filter(pk=item.pk).update(request=request)
    item.request = request
    IncidentEntry.objects.create(
        community_id=incident.community_id,
        incident=incident,
        actor=actor,
        action=TimelineAction.FOLLOW_UP,
        note=f"{request.number} · {item.text}",
        data={"request": request.id, "item": item.id},
    )
    return request


# --- duty roster --------------------------------------------------------------------------------


@transaction.atomic
def duty_shift_add(*, actor, community: Community, user: User, starts_at, ends_at) -> DutyShift:
    """Put a staff member of the community on the duty roster for a time."""
    require(actor, Perm.INCIDENT_PLANS, community.id)
    if not is_staff_member(user) or not user.communities.filter(id=community.id).exists():
        raise NotFound(
            _("No such staff member in this community."),
            code=error_codes.NOT_FOUND,
            field="user",
        )
    now = _now()
    starts = clean_when(
        "starts_at",
        starts_at,
        required=True,
        not_before=now - datetime.timedelta(days=1),
        not_after=now + datetime.timedelta(days=366),
    )
    ends = clean_when("ends_at", ends_at, required=True)
    if ends <= starts:
        raise ValidationFailed(
            _("The shift must end after it starts."), code=error_codes.BAD_SHIFT, field="ends_at"
        )
    if ends - starts > datetime.timedelta(hours=24):
        raise ValidationFailed(
            _("A shift lasts at most 24 hours."), code=error_codes.BAD_SHIFT, field="ends_at"
        )
    shift = DutyShift.objects.create(
        community=community, user=user, starts_at=starts, ends_at=ends, created_by=actor
    )
    audit.record_change(actor=actor, instance=shift, action="create")
    return shift


@transaction.atomic
def duty_shift_remove(*, actor, shift: DutyShift) -> None:
    require(actor, Perm.INCIDENT_PLANS, shift.community_id)
    audit.record_change(actor=actor, instance=shift, action="duty_shift_removed")
    shift.delete()
