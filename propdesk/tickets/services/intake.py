"""Recording a request (受理): DOMAIN.md §2 intake.

On intake the request gets its number (gap-free per community and year), its department from
the routing rules, its SLA clocks from the policy, a recurrence flag when the same house (or the
same building's common area) had a request of the same category resolved lately, its search
words and the first timeline event — all in one transaction — and the owner's confirmation with
the request number and the promised time, queued by the worker seconds after commit.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.core.numbering import next_number
from propdesk.core.permissions import Perm, require
from propdesk.core.rows import insert_row, insert_rows
from propdesk.core.validators import normalize_mobile
from propdesk.estates.models import Building, House, Owner
from propdesk.tickets import clock, configuration, error_codes, search
from propdesk.tickets.models import (
    Category,
    Channel,
    EventAction,
    RequestDepartment,
    RequestKind,
    ServiceRequest,
    Status,
    Urgency,
)
from propdesk.tickets.services import notify, sla
from propdesk.tickets.services._common import clean_note, event_record, is_house_person
from propdesk.tickets.services.photos import photos_attach, photos_check

MAX_DESCRIPTION = 2000
MAX_EARLIER = 50


def request_number_next(community) -> str:
    """HY2026000123: the community code, the year, a gap-free counter per community and year."""
    year = timezone.localtime(clock.now()).year
    return request_number(community, year, next_number(request_number_scope(community, year)))


def request_number_scope(community, year: int) -> str:
    """The counter (core.numbering) of a community's request numbers in a year."""
    return f"request:{community.id}:{year}"


def request_number(community, year: int, value: int) -> str:
    return f"{community.code}{year}{value:06d}"


def taxonomy_row(field: str, model, value):
    """A kind, category or urgency by its code (or the row itself); unknown or unused: refused."""
    if isinstance(value, model):
        row = value
    else:
        row = configuration.taxonomy_by_code(model, str(value or "").strip())
    if row is None or not row.is_active:
        raise ValidationFailed(
            _("Unknown %(what)s: choose one of the listed values.")
            % {"what": model._meta.verbose_name},
            code=f"unknown_{field}",
            field=field,
        )
    return row


@dataclass(frozen=True)
class Earlier:
    """What intake finds of the same place and category: the request this one repeats, and the
    numbers of those still open at the house (a likely duplicate, shown to the agent)."""

    recurrence_id: int | None = None
    recurrence_number: str | None = None
    open_numbers: tuple[str, ...] = ()


def earlier_requests(
    *, community_id: int, house_id, building_id, category_id: int, at, days: int
) -> Earlier:
    """One query for both: a request of the same category resolved in the last `days` days at the
    same house (or, for a common area, at the same building's common area), DOMAIN.md §2; and the
    open ones of the same house and category, newest first. The statement is built once per
    shape (`_earlier_statement`): it runs on every create."""
    if house_id is None and building_id is None:
        return Earlier()
    since = at - datetime.timedelta(days=days)
    sql, converters = _earlier_statement(
        house=house_id is not None, building=building_id is not None
    )
    params = [community_id, category_id]
    params += [house_id] if house_id is not None else []
    params += [building_id] if building_id is not None else []
    adapt = connection.ops.adapt_datetimefield_value
    params += [adapt(since), adapt(at), MAX_EARLIER]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [
            (pk, number, bool(is_open), _converted(resolved_at, converters))
            for pk, number, is_open, resolved_at in cursor.fetchall()
        ]
    return earlier_from_rows(found, since=since, at=at, house_id=house_id)


_EARLIER_SQL: dict[tuple, tuple[str, list]] = {}


def _earlier_statement(*, house: bool, building: bool) -> tuple[str, list]:
    """The statement of `earlier_requests`, as the ORM wrote it: at a house, the rows of the same
    house (and building: one index range of (community, building, category, date)) still open or
    resolved in the window; at a common area, the building's common-area rows resolved in it."""
    key = (connection.vendor, house, building)
    if key not in _EARLIER_SQL:
        meta = ServiceRequest._meta
        q = connection.ops.quote_name
        column = {name: q(meta.get_field(name).column) for name in _EARLIER_COLUMNS}
        where = [f"{column['community']} = %s", f"{column['category']} = %s"]
        where += [f"{column['house']} = %s"] if house else []
        where += [f"{column['building']} = %s"] if building else []
        where += [] if house else [f"{column['house']} IS NULL"]
        resolved = f"({column['resolved_at']} >= %s AND {column['resolved_at']} <= %s)"
        where += [f"({column['is_open']} OR {resolved})" if house else resolved]
        sql = (
            f"SELECT {column['id']}, {column['number']}, {column['is_open']},"  # noqa: S608
            f" {column['resolved_at']} FROM {q(meta.db_table)} WHERE {' AND '.join(where)}"
            f" ORDER BY {column['created_at']} DESC, {column['id']} DESC LIMIT %s"
        )
        resolved_at = meta.get_field("resolved_at").get_col(meta.db_table)
        converters = connection.ops.get_db_converters(resolved_at) + resolved_at.get_db_converters(
            connection
        )
        _EARLIER_SQL[key] = (sql, converters)
    return _EARLIER_SQL[key]


_EARLIER_COLUMNS = (
    "id", "number", "is_open", "resolved_at", "community", "category", "house", "building",
    "created_at",
)  # fmt: skip


def _converted(value, converters):
    for converter in converters:
        value = converter(value, None, connection)
    return value


def earlier_from_rows(found: list[tuple], *, since, at, house_id) -> Earlier:
    """What `earlier_requests` makes of the matching rows (id, number, is_open, resolved_at),
    newest first."""
    resolved = [row for row in found if row[3] is not None and since <= row[3] <= at]
    latest = max(resolved, key=lambda row: (row[3], row[0]), default=None)
    return Earlier(
        recurrence_id=latest[0] if latest else None,
        recurrence_number=latest[1] if latest else None,
        open_numbers=tuple(row[1] for row in found if row[2] and house_id is not None)[:10],
    )


def _check_place(actor, house, building):
    if house is None and building is None:
        raise ValidationFailed(
            _("Name the house (or, for a common area, the building)."),
            code=error_codes.HOUSE_REQUIRED,
            field="house",
        )
    if house is not None and building is not None and house.building_id != building.pk:
        raise ValidationFailed(
            _("The house is not in this building."),
            code=error_codes.BUILDING_MISMATCH,
            field="building",
        )
    # The building's id only: a house read by `house_brief_for_user` carries no building row.
    return (house.community if house is not None else building.community), (
        building.pk if building is not None else house.building_id
    )


def request_create(
    *,
    actor,
    kind,
    category,
    urgency,
    description: str,
    channel: str = Channel.PHONE,
    house: House | None = None,
    building: Building | None = None,
    location: str = "",
    caller_owner: Owner | None = None,
    caller_name: str = "",
    caller_mobile: str = "",
    preferred_visit_at: datetime.datetime | None = None,
    photos=(),
    promised_at: datetime.datetime | None = None,
) -> ServiceRequest:
    """Record one request from a call, a visit, the portal, the API or a patrol (DOMAIN §2).

    The request comes back with `open_duplicates`: the numbers of the other requests of the same
    house and category still open, a likely duplicate the agent may link instead. The checks,
    the deadlines and the search words come first; one transaction then holds the repeats, the
    number and the five inserts."""
    community, building_id = _check_place(actor, house, building)
    # Owners and the people living in the house file requests through the portal; everyone
    # else needs the right.
    if not (
        channel == Channel.PORTAL and house is not None and is_house_person(actor, _probe(house))
    ):
        require(actor, Perm.REQUEST_CREATE, community.id)
    kind = taxonomy_row("kind", RequestKind, kind)
    category = taxonomy_row("category", Category, category)
    urgency = taxonomy_row("urgency", Urgency, urgency)
    if channel not in Channel.values:
        raise ValidationFailed(_("Choose one of the listed channels."), field="channel")
    description = clean_note("description", description, max_length=MAX_DESCRIPTION, required=True)
    location = clean_note("location", location, max_length=200)
    caller_name = clean_note("caller_name", caller_name, max_length=100)
    if caller_mobile:
        try:
            caller_mobile = normalize_mobile(caller_mobile)
        except Exception as exc:
            raise ValidationFailed(
                _("Enter an 11-digit mobile number starting with 1."),
                code=error_codes.BAD_MOBILE,
                field="caller_mobile",
            ) from exc
    if caller_owner is not None and caller_owner.community_id != community.id:
        raise NotFound(_("No such owner in this community."), field="caller_owner")
    now = clock.now()
    if preferred_visit_at is not None:
        if timezone.is_naive(preferred_visit_at):
            raise ValidationFailed(
                _("Give the time with its time zone."), field="preferred_visit_at"
            )
        if preferred_visit_at < now - datetime.timedelta(hours=1):
            raise ValidationFailed(
                _("The visit time has already passed."),
                code=error_codes.VISIT_IN_PAST,
                field="preferred_visit_at",
            )
    checked_photos = photos_check(photos)
    if caller_owner is not None:
        caller_name = caller_name or caller_owner.name
        caller_mobile = caller_mobile or caller_owner.mobile

    settings_row = configuration.settings_for(community.id)
    route = configuration.route_for(community_id=community.id, category=category)
    policy = configuration.policy_for(
        community_id=community.id, kind_id=kind.id, urgency_id=urgency.id, category_id=category.id
    )
    calendar = configuration.calendar(community.id)
    request = ServiceRequest(
        community=community,
        house=house,
        building_id=building_id,
        location=location,
        caller_owner=caller_owner,
        caller_name=caller_name,
        caller_mobile=caller_mobile,
        channel=channel,
        kind=kind,
        category=category,
        urgency=urgency,
        description=description,
        preferred_visit_at=preferred_visit_at,
        status=Status.NEW,
        is_open=True,
        department=route.lead,
        sla_policy=policy,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    if building is not None:  # the caller's row, so that the request carries it
        request.building = building
    clocks = request_clocks_start(request, policy=policy, calendar=calendar, at=now)
    if promised_at is not None:  # a time promised to the caller (a callback at the desk)
        if timezone.is_naive(promised_at) or promised_at <= now:
            raise ValidationFailed(_("Promise a time in the future."), field="promised_at")
        request.promised_at = promised_at
    words = search.tokenize(description)
    departments = [route.lead, *route.others] if route.lead else []
    # Everything above reads or computes; the transaction holds the writes alone (on SQLite its
    # BEGIN takes the database's one write lock, which the other server processes wait for).
    with transaction.atomic():
        earlier = earlier_requests(
            community_id=community.id,
            house_id=house.pk if house else None,
            building_id=building_id,
            category_id=category.id,
            at=now,
            days=settings_row.recurrence_days,
        )
        request.recurrence_of_id = earlier.recurrence_id
        request.number = request_number_next(community)
        # The rows of a create are inserted by statements built once (core.rows), not save().
        insert_row(request)
        for sla_clock in clocks:
            sla_clock.request = request
        insert_rows(clocks)
        insert_rows(
            [
                RequestDepartment(
                    community_id=community.id,
                    request=request,
                    department=department,
                    is_lead=i == 0,
                )
                for i, department in enumerate(departments)
            ]
        )
        search.index_request(request, words=words)
        event = event_record(
            request=request,
            actor=actor,
            action=EventAction.CREATED,
            to_status=Status.NEW,
            note=description[:200],
            data=created_event_data(
                channel=channel, route=route, clocks=clocks, recurrence_of=earlier.recurrence_number
            ),
            at=now,
            # The owners are told by the worker, seconds after commit (notify.owner_notice_later).
            owner_notice_pending=notify.owner_notice_later(),
        )
        photos_attach(request=request, event=event, checked=checked_photos, actor=actor, at=now)
    request.open_duplicates = list(earlier.open_numbers)
    return request


def request_clocks_start(request: ServiceRequest, *, policy, calendar, at) -> list:
    """A new request's SLA clocks (not saved), its deadline fields, and the time promised to the
    caller: the resolution clock's due time."""
    clocks = sla.clocks_start(request=request, policy=policy, calendar=calendar, at=at)
    for name, value in sla.deadline_fields(request, clocks).items():
        setattr(request, name, value)
    resolution = [c for c in clocks if c.target == "resolution"]
    request.promised_at = resolution[0].due_at if resolution else None
    return clocks


def created_event_data(*, channel: str, route, clocks, recurrence_of: str | None) -> dict:
    """What the `created` timeline event records: the channel, the lead department, each clock's
    due time and the request this one repeats."""
    return {
        "channel": channel,
        "department": route.lead.code if route.lead else None,
        "due": {c.target: c.due_at.isoformat() for c in clocks},
        "recurrence_of": recurrence_of,
    }


def _probe(house: House) -> ServiceRequest:
    return ServiceRequest(house_id=house.pk, community_id=house.community_id)


@transaction.atomic
def request_link_call(*, actor, request: ServiceRequest, note: str, caller_name: str = ""):
    """The caller rang again about a request that is still open: record it there instead of a
    duplicate (DOMAIN.md §2 intake)."""
    from propdesk.tickets.services._common import lock_request, refuse_state

    require(actor, Perm.REQUEST_CREATE, request.community_id)
    request = lock_request(request)
    if not request.is_open:
        raise refuse_state(request, _("Only an open request can take another call."))
    note = clean_note("note", note, required=True)
    caller_name = clean_note("caller_name", caller_name, max_length=100)
    event = event_record(
        request=request,
        actor=actor,
        action=EventAction.CALL_LINKED,
        note=note,
        data={"caller": caller_name} if caller_name else {},
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=event.at)
    notify.owner_notify(request=request, event=event)
    return event
