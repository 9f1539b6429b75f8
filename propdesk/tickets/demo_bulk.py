"""The demo's older requests replayed in memory and written with one statement per table.

Replaying a year of requests through the request services costs some 55 statements a request
(each step locks and re-reads the request and its clocks, writes its event, moves the round-robin
cursor and the number counter), most of the demo's load time. The demo's own input is valid and
its steps are taken in an order the transition table allows, so the refusals of the services
cannot happen here; what they write can be built in memory instead, step by step, in the same
order and with the services' own functions: the clocks from `sla.clocks_start`, their stops from
`sla.stop_state`, pauses and resumptions from `sla.clock_resumed`, the next deadline from
`sla.deadline_fields`, the number from `intake.request_number`, a recurrence from
`intake.earlier_from_rows`, the follow-up call from the community's settings and calendar, the
search tokens from `search.token_rows`. Each request is taken to its end before the next one is
received, as the per-service replay does, so the rows come out in the same order too.

`propdesk/tickets/tests/test_demo.py` replays the same month both ways and compares every row
the two write; the demo's last two weeks (the work still open, which the queues show) still go
through the services themselves.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.models import NumberSequence
from propdesk.tickets import configuration, search
from propdesk.tickets.models import (
    OPEN_STATUSES,
    AssignmentCursor,
    Category,
    ClockState,
    EventAction,
    FollowUp,
    RequestDepartment,
    RequestEvent,
    RequestKind,
    RequestToken,
    ServiceRequest,
    SlaClock,
    Status,
    Target,
    Urgency,
)
from propdesk.tickets.services import notify, sla
from propdesk.tickets.services._common import clean_note, event_row
from propdesk.tickets.services.follow_up import unreachable_note
from propdesk.tickets.services.intake import (
    MAX_EARLIER,
    created_event_data,
    earlier_from_rows,
    request_clocks_start,
    request_number,
    request_number_scope,
    taxonomy_row,
)
from propdesk.tickets.services.routing import workers_of
from propdesk.tickets.services.transitions import ACTION_EVENTS, reopen_fields
from propdesk.tickets.workflow import STEPS

LIVE = sla.LIVE


class _Replayed:
    """What one request has written so far: its clocks, follow-up rounds and departments."""

    def __init__(self, request: ServiceRequest, index: int):
        self.request = request
        self.index = index  # its place in intake order: the order of the ids it will get
        self.clocks: list[SlaClock] = []
        self.follow_ups: list[FollowUp] = []
        self.departments: list[RequestDepartment] = []


class BulkReplay:
    """The request services' steps for one community, kept in memory until `write()`."""

    def __init__(self, community):
        self.community = community
        self.calendar = configuration.calendar(community.id)
        self.settings = configuration.settings_for(community.id)
        self.replayed: list[_Replayed] = []
        self.by_request: dict[int, _Replayed] = {}
        self.rows: dict[type, list] = {
            ServiceRequest: [],
            SlaClock: [],
            RequestDepartment: [],
            RequestEvent: [],
            FollowUp: [],
        }
        self.numbers: dict[str, int] = {}  # counter scope → the last number taken
        self.cursors: dict[int, int | None] = dict(
            AssignmentCursor.objects.filter(community=community).values_list(
                "department_id", "last_user_id"
            )
        )
        self.cursors_moved: dict[int, int] = {}
        self.workers: dict[int, list] = {}
        self.written = False

    # --- the steps -------------------------------------------------------------------------

    def _of(self, request) -> _Replayed:
        return self.by_request[id(request)]

    def _event(
        self, request, *, actor, action, at, from_status="", to_status="", note="", data=None
    ):
        self.rows[RequestEvent].append(
            event_row(request=request, actor=actor, action=action, at=at,
                      from_status=from_status, to_status=to_status, note=note, data=data)
        )  # fmt: skip

    def _finish(
        self, request, *, actor, action, from_status, note, now, fields, data=None, clocks=None
    ):
        """transitions._finish in memory."""
        replayed = self._of(request)
        step = STEPS[action]
        if step.target is not None:
            fields["status"] = step.target
        for name, value in fields.items():
            setattr(request, name, value)
        request.is_open = request.status in OPEN_STATUSES
        request.updated_at = now
        if clocks is None:
            clocks = [c for c in replayed.clocks if c.state in LIVE]
        deadline = sla.deadline_fields(request, clocks, follow_ups=replayed.follow_ups)
        for name, value in deadline.items():
            setattr(request, name, value)
        self._event(
            request,
            actor=actor,
            action=ACTION_EVENTS[action],
            from_status=from_status,
            to_status=request.status,
            note=note,
            data=data or {},
            at=now,
        )

    def _stop(self, request, targets, at) -> dict[str, str]:
        outcomes = {}
        for sla_clock in self._of(request).clocks:
            if sla_clock.target in targets and sla_clock.state in LIVE:
                sla_clock.state = sla.stop_state(sla_clock, at)
                sla_clock.stopped_at = at
                sla_clock.next_check_at = sla_clock.next_threshold = sla_clock.paused_at = None
                outcomes[sla_clock.target] = sla_clock.state.value
        return outcomes

    def _earlier(self, *, house, building, category, at):
        since = at - datetime.timedelta(days=self.settings.recurrence_days)
        found = []
        for replayed in reversed(self.replayed):  # newest first: intake order is time order
            other = replayed.request
            if other.category_id != category.id:
                continue
            resolved = other.resolved_at is not None and since <= other.resolved_at <= at
            if house is not None:
                if other.house_id != house.pk or other.building_id != building.pk:
                    continue
                if not (other.is_open or resolved):
                    continue
            elif other.building_id != building.pk or other.house_id is not None or not resolved:
                continue
            found.append((replayed, other.number, other.is_open, other.resolved_at))
            if len(found) == MAX_EARLIER:
                break
        # earlier_from_rows breaks a tie on the id: the place in intake order stands for it.
        rows = [(r.index, number, is_open, at_) for r, number, is_open, at_ in found]
        earlier = earlier_from_rows(rows, since=since, at=at, house_id=house.pk if house else None)
        if earlier.recurrence_id is None:
            return None, None
        return self.replayed[earlier.recurrence_id].request, earlier.recurrence_number

    def create(self, *, actor, at, kind, category, urgency, description, channel, house=None,
               building=None, location="", caller_owner=None):  # fmt: skip
        community = self.community
        building = building if building is not None else house.building
        kind = taxonomy_row("kind", RequestKind, kind)
        category = taxonomy_row("category", Category, category)
        urgency = taxonomy_row("urgency", Urgency, urgency)
        description = clean_note("description", description, max_length=2000, required=True)
        location = clean_note("location", location, max_length=200)
        caller_name = caller_owner.name if caller_owner is not None else ""
        caller_mobile = caller_owner.mobile if caller_owner is not None else ""
        route = configuration.route_for(community_id=community.id, category=category)
        policy = configuration.policy_for(
            community_id=community.id,
            kind_id=kind.id,
            urgency_id=urgency.id,
            category_id=category.id,
        )
        recurrence, recurrence_number = self._earlier(
            house=house, building=building, category=category, at=at
        )
        year = timezone.localtime(at).year
        scope = request_number_scope(community, year)
        if scope not in self.numbers:
            counter = NumberSequence.objects.filter(scope=scope).values_list("last_value")
            self.numbers[scope] = (counter.first() or (0,))[0]
        self.numbers[scope] += 1
        request = ServiceRequest(
            community=community,
            number=request_number(community, year, self.numbers[scope]),
            house=house,
            building=building,
            location=location,
            caller_owner=caller_owner,
            caller_name=caller_name,
            caller_mobile=caller_mobile,
            channel=channel,
            kind=kind,
            category=category,
            urgency=urgency,
            description=description,
            status=Status.NEW,
            is_open=True,
            department=route.lead,
            sla_policy=policy,
            created_by=actor,
            created_at=at,
            updated_at=at,
        )
        request.demo_recurrence = recurrence  # linked once both have their ids
        replayed = _Replayed(request, len(self.replayed))
        self.replayed.append(replayed)
        self.by_request[id(request)] = replayed
        self.rows[ServiceRequest].append(request)
        clocks = request_clocks_start(request, policy=policy, calendar=self.calendar, at=at)
        replayed.clocks.extend(clocks)
        self.rows[SlaClock].extend(clocks)
        departments = [route.lead, *route.others] if route.lead else []
        for i, department in enumerate(departments):
            self._department(request, department, is_lead=i == 0)
        self._event(
            request,
            actor=actor,
            action=EventAction.CREATED,
            to_status=Status.NEW,
            note=description[:200],
            data=created_event_data(
                channel=channel, route=route, clocks=clocks, recurrence_of=recurrence_number
            ),
            at=at,
        )
        assert not notify.owner_notice_later()  # a replay of the past tells nobody  # noqa: S101
        return request

    def _department(self, request, department, *, is_lead: bool) -> None:
        row = RequestDepartment(
            community_id=request.community_id,
            request=request,
            department=department,
            is_lead=is_lead,
        )
        self._of(request).departments.append(row)
        self.rows[RequestDepartment].append(row)

    def accept(self, request, *, actor, at):
        outcomes = self._stop(request, [Target.FIRST_RESPONSE], at)
        self._finish(request, actor=actor, action="accept", from_status=request.status, note="",
                     now=at, fields={"accepted_at": at}, data={"sla": outcomes})  # fmt: skip
        return request

    def dispatch(self, request, *, actor, at):
        """request_dispatch with round_robin=True to the request's own department."""
        department = request.department
        if department is None:
            raise ValueError("a dispatched demo request needs its department")
        chosen = self._next_worker(department)
        fields = {"department": department, "assignee": chosen, "dispatched_at": at}
        outcomes = {}
        if request.accepted_at is None:
            fields["accepted_at"] = at
            outcomes = self._stop(request, [Target.FIRST_RESPONSE], at)
        rows = self._of(request).departments
        for row in rows:  # transitions._set_lead
            if row.department_id != department.pk:
                row.is_lead = False
        if not any(row.department_id == department.pk for row in rows):
            self._department(request, department, is_lead=True)
        for row in rows:
            if row.department_id == department.pk:
                row.is_lead = True
        data = {
            "department": department.code,
            "assignee": chosen.username if chosen else None,
            "round_robin": True,
            "sla": outcomes,
        }
        self._finish(request, actor=actor, action="dispatch", from_status=request.status, note="",
                     now=at, fields=fields, data=data)  # fmt: skip
        return request

    def _next_worker(self, department):
        """routing.assignee_next with the cursor kept in memory."""
        if department.pk not in self.workers:
            self.workers[department.pk] = workers_of(
                community_id=self.community.id, department=department
            )
        candidates = self.workers[department.pk]
        if not candidates:
            return None
        last = self.cursors.get(department.pk)
        later = [person for person in candidates if person.pk > (last or 0)]
        chosen = later[0] if later else candidates[0]
        self.cursors[department.pk] = self.cursors_moved[department.pk] = chosen.pk
        return chosen

    def start(self, request, *, actor, at):
        outcomes = self._stop(request, [Target.ON_SITE], at)
        self._finish(request, actor=actor, action="start", from_status=request.status, note="",
                     now=at, fields={"on_site_at": request.on_site_at or at},
                     data={"sla": outcomes})  # fmt: skip
        return request

    def wait(self, request, *, actor, at, note):
        note = clean_note("note", note, required=True)
        for sla_clock in self._of(request).clocks:  # sla.clocks_pause
            if sla_clock.state == ClockState.RUNNING:
                sla_clock.state = ClockState.PAUSED
                sla_clock.paused_at = at
                sla_clock.next_check_at = None
        self._finish(request, actor=actor, action="wait", from_status=request.status, note=note,
                     now=at, fields={})  # fmt: skip
        return request

    def resume(self, request, *, actor, at):
        resumed = [c for c in self._of(request).clocks if c.state == ClockState.PAUSED]
        fields = {}
        for sla_clock in resumed:
            sla.clock_resumed(sla_clock, at=at, calendar=self.calendar)
            if sla_clock.target == Target.RESOLUTION:
                fields["promised_at"] = sla_clock.due_at
        self._finish(request, actor=actor, action="resume", from_status=request.status, note="",
                     now=at, fields=fields,
                     data={"due": {c.target: c.due_at.isoformat() for c in resumed}})  # fmt: skip
        return request

    def resolve(self, request, *, actor, at, note):
        note = clean_note("note", note, required=True)
        replayed = self._of(request)
        outcomes = self._stop(request, list(Target.values), at)
        follow_up = FollowUp(
            community_id=request.community_id,
            request=request,
            round=len(replayed.follow_ups) + 1,
            due_at=at + datetime.timedelta(hours=self.settings.follow_up_after_hours),
        )
        replayed.follow_ups.append(follow_up)
        self.rows[FollowUp].append(follow_up)
        fields = {"resolved_at": at}
        if request.accepted_at is None:
            fields["accepted_at"] = at
        self._finish(request, actor=actor, action="resolve", from_status=request.status,
                     note=note, now=at, fields=fields, data={"sla": outcomes})  # fmt: skip
        return request

    def _pending(self, request) -> FollowUp:
        pending = [f for f in self._of(request).follow_ups if f.state == FollowUp.State.PENDING]
        return max(pending, key=lambda f: f.round)  # resolve made it

    def _follow_up_begin(self, request, *, actor, at):
        if request.status == Status.RESOLVED:
            self._finish(request, actor=actor, action="follow_up", from_status=request.status,
                         note="", now=at, fields={})  # fmt: skip

    def unreachable(self, request, *, actor, at):
        """follow_up.follow_up_unreachable."""
        self._follow_up_begin(request, actor=actor, at=at)
        follow_up = self._pending(request)
        follow_up.attempts += 1
        follow_up.last_attempt_at = at
        attempts, limit = follow_up.attempts, self.settings.follow_up_max_attempts
        self._event(request, actor=actor, action=EventAction.FOLLOW_UP_ATTEMPT, note="",
                    data={"attempt": attempts, "of": limit}, at=at)  # fmt: skip
        if attempts >= limit:
            follow_up.state = FollowUp.State.UNREACHABLE
            follow_up.completed_at = at
            self._close(
                request,
                actor=actor,
                at=at,
                note=unreachable_note(attempts),
                data={"unreachable": attempts},
            )
            return request
        follow_up.due_at = self.calendar.add(at, self.calendar.day_length)
        request.due_at = request.due_soon_at = follow_up.due_at
        request.updated_at = at
        return request

    def follow_up(self, request, *, actor, at, score: int, comment: str):
        """follow_up.follow_up_record by phone."""
        comment = clean_note("comment", comment, max_length=1000)
        self._follow_up_begin(request, actor=actor, at=at)
        follow_up = self._pending(request)
        follow_up.state = FollowUp.State.DONE
        follow_up.satisfaction = score
        follow_up.comment = comment
        follow_up.via = FollowUp.Via.PHONE
        follow_up.recorded_by = actor
        follow_up.completed_at = at
        request.satisfaction = score
        self._event(request, actor=actor, action=EventAction.FOLLOW_UP, note=comment,
                    data={"satisfaction": score, "via": FollowUp.Via.PHONE,
                          "round": follow_up.round}, at=at)  # fmt: skip
        if score <= self.settings.reopen_at_or_below:
            reason = _("The owner is not satisfied (%(score)d/5).") % {"score": score}
            if comment:
                reason = f"{reason} {comment}"
            self._reopen(request, actor=actor, at=at, reason=reason, data={"satisfaction": score})
        else:
            self._close(request, actor=actor, at=at,
                        note=_("Satisfaction %(score)d/5.") % {"score": score},
                        data={"satisfaction": score})  # fmt: skip
        return request

    def _cancel_follow_ups(self, request, at) -> None:
        for follow_up in self._of(request).follow_ups:
            if follow_up.state == FollowUp.State.PENDING:
                follow_up.state = FollowUp.State.CANCELLED
                follow_up.completed_at = at

    def _close(self, request, *, actor, at, note, data):
        """transitions.close_locked."""
        self._cancel_follow_ups(request, at)
        self._finish(request, actor=actor, action="close", from_status=request.status, note=note,
                     now=at, fields={"closed_at": at}, data=data)  # fmt: skip

    def _reopen(self, request, *, actor, at, reason, data):
        """transitions.reopen_locked."""
        replayed = self._of(request)
        self._cancel_follow_ups(request, at)
        last_round = max(
            (c.round for c in replayed.clocks if c.target == Target.RESOLUTION), default=0
        )
        clocks = sla.clocks_start(
            request=request,
            policy=request.sla_policy,
            calendar=self.calendar,
            at=at,
            targets=[Target.RESOLUTION],
            round_number=last_round + 1,
        )
        replayed.clocks.extend(clocks)
        self.rows[SlaClock].extend(clocks)
        fields = reopen_fields(request, at=at, clocks=clocks)
        self._finish(request, actor=actor, action="reopen", from_status=request.status,
                     note=reason, now=at, fields=fields, data={**data, "round": last_round + 1},
                     clocks=clocks)  # fmt: skip

    def cancel(self, request, *, actor, at, reason):
        reason = clean_note("reason", reason, required=True)
        for sla_clock in self._of(request).clocks:  # sla.clocks_cancel
            if sla_clock.state in LIVE:
                sla_clock.state = ClockState.CANCELLED
                sla_clock.stopped_at = at
                sla_clock.next_check_at = sla_clock.next_threshold = None
        self._cancel_follow_ups(request, at)
        self._finish(request, actor=actor, action="cancel", from_status=request.status,
                     note=reason, now=at,
                     fields={"cancel_reason": reason[:200], "closed_at": at})  # fmt: skip
        return request

    # --- writing ---------------------------------------------------------------------------

    def write(self) -> None:
        """Write what the steps made, one statement per table (in batches), in intake order."""
        if self.written:
            return
        self.written = True
        requests = self.rows[ServiceRequest]
        ServiceRequest.objects.bulk_create(requests, batch_size=500)
        linked = []
        for request in requests:
            if request.demo_recurrence is not None:
                request.recurrence_of = request.demo_recurrence
                linked.append(request)
        ServiceRequest.objects.bulk_update(linked, ["recurrence_of"], batch_size=500)
        for model in (SlaClock, RequestDepartment, RequestEvent, FollowUp):
            rows = self.rows[model]
            for row in rows:
                row.request = row.request  # the request's id, now that it has one
            model.objects.bulk_create(rows, batch_size=500)
        RequestToken.objects.bulk_create(
            (
                token
                for request in requests
                for token in search.token_rows(
                    community_id=request.community_id,
                    request_id=request.id,
                    text=request.description,
                )
            ),
            batch_size=1000,
            ignore_conflicts=True,
        )
        for scope in self.numbers:
            NumberSequence.objects.update_or_create(
                scope=scope, defaults={"last_value": self.numbers[scope]}
            )
        for department_id, user_id in self.cursors_moved.items():
            AssignmentCursor.objects.update_or_create(
                community=self.community,
                department_id=department_id,
                defaults={"last_user_id": user_id},
            )
