"""Roster import (花名册导入, DOMAIN.md §1): a dry-run preview, then an all-or-nothing commit.

The preview reads the workbook once, checks every row with the registry services' own validators
(`clean_owner_fields`, the area, floor, plate and location rules) plus what only a whole file can
reveal (a house twice in the file, a house or plate already in the community, one ID number given
to two names), and lists every bad row with its Excel row number, column and reason.

The commit repeats the preview on the same file and refuses while any row is bad; then, in one
transaction, it calls building_create, house_create, owner_create, ownership_add and vehicle_add
for each row, so validation and history are exactly those of the console. If any service still
refuses (someone registered the same house meanwhile), nothing at all is written.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from propdesk.core import audit
from propdesk.core.errors import AppError, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates import error_codes, services
from propdesk.estates.excel.columns import COLUMNS, COLUMNS_BY_KEY, EXAMPLE_ROW
from propdesk.estates.excel.row_checks import RowDraft, RowProblem, cell_text, check_row
from propdesk.estates.excel.upload import FIELD, RosterRow, read_roster
from propdesk.estates.models import Building, Community, House, Owner, Vehicle

QUERY_CHUNK = 500


@dataclass(eq=False)
class PersonPlan:
    """One owner the file names: reused from the archive (`owner` set) or to be created."""

    values: dict
    first_row: int
    owner: Owner | None = None
    is_new: bool = True


@dataclass
class HousePlan:
    row: int
    building: str
    unit: str
    room: str
    floor: int
    area_m2: Decimal
    kind: str
    status: str
    delivered_on: datetime.date | None
    owner: PersonPlan | None = None
    co_owner: PersonPlan | None = None
    plates: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return House.make_code(self.building, self.unit, self.room)


@dataclass
class RosterPreview:
    community: Community
    row_count: int
    problems: list[RowProblem]
    houses: list[HousePlan]  # the good rows, in file order
    skipped_example: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_row_count(self) -> int:
        return len({problem.row for problem in self.problems})

    @cached_property
    def counts(self) -> dict[str, int]:
        existing = set(
            Building.objects.filter(community=self.community).values_list("number", flat=True)
        )
        people = [p for h in self.houses for p in (h.owner, h.co_owner) if p is not None]
        new_people = {id(p) for p in people if p.is_new}
        return {
            "buildings": len({h.building for h in self.houses} - existing),
            "houses": len(self.houses),
            "owners": len(new_people),
            "owners_reused": len({id(p) for p in people if not p.is_new}),
            "ownerships": len(people),
            "vehicles": sum(len(h.plates) for h in self.houses),
        }


def _chunked(values: list, size: int = QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _is_example(row: RosterRow) -> bool:
    return all(cell_text(row.values.get(key)) == cell_text(EXAMPLE_ROW[key]) for key in EXAMPLE_ROW)


def roster_preview(*, actor, community: Community, uploaded) -> RosterPreview:
    """Dry run: read and check the whole file, write nothing, list every bad row."""
    require(actor, Perm.REGISTRY_IMPORT, community.id)
    sheet = read_roster(uploaded)
    rows = sheet.rows
    skipped_example = bool(rows) and _is_example(rows[0])
    if skipped_example:
        rows = rows[1:]
    if not rows:
        raise ValidationFailed(
            _("The file has no rows to import."), code=error_codes.EMPTY_FILE, field=FIELD
        )
    problems: list[RowProblem] = []
    drafts = [check_row(row, problems) for row in rows]
    houses = _plan(community, drafts)
    order = {column.key: index for index, column in enumerate(COLUMNS)}
    problems.sort(key=lambda problem: (problem.row, order[problem.column]))
    return RosterPreview(
        community=community,
        row_count=len(rows),
        problems=problems,
        houses=houses,
        skipped_example=skipped_example,
    )


def _plan(community: Community, drafts: list[RowDraft]) -> list[HousePlan]:
    """Pass two: duplicates within the file and against the community's registry."""
    codes = [
        House.make_code(d.house["building"], d.house["unit"], d.house["room"])
        for d in drafts
        if d.house
    ]
    existing_codes: set[str] = set()
    for chunk in _chunked(sorted(set(codes))):
        existing_codes.update(
            House.objects.filter(community=community, code__in=chunk).values_list("code", flat=True)
        )
    id_numbers = sorted(
        {p["id_number"] for d in drafts for p in (d.owner, d.co_owner) if p and p["id_number"]}
    )
    archive: dict[str, Owner] = {}
    for chunk in _chunked(id_numbers):
        for owner in Owner.objects.filter(community=community, id_number__in=chunk).order_by("-id"):
            archive[owner.id_number] = owner
    plates = sorted({plate for d in drafts for plate in d.plates})
    registered_plates: set[str] = set()
    for chunk in _chunked(plates):
        registered_plates.update(
            Vehicle.objects.filter(
                community_id=community.id, plate__in=chunk, removed_on__isnull=True
            ).values_list("plate", flat=True)
        )

    seen_codes: dict[str, int] = {}
    seen_plates: dict[str, int] = {}
    people: dict[str, PersonPlan] = {}
    plans: list[HousePlan] = []

    def person(draft: RowDraft, values: dict | None, column: str) -> PersonPlan | None:
        if values is None:
            return None
        number = values["id_number"]
        if not number:
            return PersonPlan(values=values, first_row=draft.row.number)
        plan = people.get(number)
        if plan is not None:
            if plan.values["name"] != values["name"]:
                draft.check.add(
                    column,
                    _("This ID number is given to %(name)s in row %(row)d.")
                    % {"name": plan.values["name"], "row": plan.first_row},
                    "id_number_name_mismatch",
                )
            return plan
        known = archive.get(number)
        if known is not None and known.name != values["name"]:
            draft.check.add(
                column,
                _("This ID number belongs to %(name)s in the owner archive.")
                % {"name": known.name},
                "id_number_name_mismatch",
            )
        plan = PersonPlan(
            values=values, first_row=draft.row.number, owner=known, is_new=known is None
        )
        people[number] = plan
        return plan

    for draft in drafts:
        row = draft.row.number
        if draft.house:
            code = House.make_code(
                draft.house["building"], draft.house["unit"], draft.house["room"]
            )
            if code in seen_codes:
                draft.check.add(
                    "room",
                    _("House %(code)s appears twice in the file (first in row %(row)d).")
                    % {"code": code, "row": seen_codes[code]},
                    "duplicate_in_file",
                )
            else:
                seen_codes[code] = row
                if code in existing_codes:
                    draft.check.add(
                        "room",
                        _("House %(code)s already exists in this community.") % {"code": code},
                        "house_exists",
                    )
        owner = person(draft, draft.owner, "owner_id_number")
        co_owner = person(draft, draft.co_owner, "co_owner_id_number")
        if owner is not None and owner is co_owner:
            draft.check.add(
                "co_owner_id_number",
                _("The co-owner is the owner named in the same row."),
                "co_owner_is_owner",
            )
        for plate in draft.plates:
            if plate in seen_plates:
                draft.check.add(
                    "plates",
                    _("Plate %(plate)s appears twice in the file (first in row %(row)d).")
                    % {"plate": plate, "row": seen_plates[plate]},
                    "duplicate_in_file",
                )
                continue
            seen_plates[plate] = row
            if plate in registered_plates:
                draft.check.add(
                    "plates",
                    _("Plate %(plate)s is already registered in this community.")
                    % {"plate": plate},
                    "plate_exists",
                )
        if draft.check.ok and draft.house:
            plans.append(
                HousePlan(
                    row=row,
                    **draft.house,
                    owner=owner,
                    co_owner=co_owner,
                    plates=draft.plates,
                )
            )
    return plans


@dataclass
class RosterResult:
    houses: list[House]
    counts: dict[str, int]


PROGRESS_EVERY = 50


def roster_commit(
    *,
    actor,
    community: Community,
    uploaded,
    filename: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RosterResult:
    """Import the file through the registry services, all rows or none (DOMAIN.md §1)."""
    preview = roster_preview(actor=actor, community=community, uploaded=uploaded)
    if not preview.ok:
        raise ValidationFailed(
            ngettext(
                "%(n)d row of the file is bad; correct it and upload the file again.",
                "%(n)d rows of the file are bad; correct them and upload the file again.",
                preview.bad_row_count,
            )
            % {"n": preview.bad_row_count},
            code=error_codes.BAD_ROWS,
            field=FIELD,
        )
    counts = preview.counts
    today = timezone.localdate()
    houses: list[House] = []
    with transaction.atomic():
        buildings = {b.number: b for b in Building.objects.filter(community=community)}
        total = len(preview.houses)
        for index, plan in enumerate(preview.houses, start=1):
            if progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
                progress(index, total)
            try:
                houses.append(_import_house(actor, community, plan, buildings, today))
            except PermissionDenied:
                raise
            except AppError as exc:
                column = _column_of(exc)
                raise ValidationFailed(
                    _("Row %(row)d%(column)s: %(message)s; nothing was imported.")
                    % {
                        "row": plan.row,
                        "column": f" ({column.label})" if column else "",
                        "message": exc.message,
                    },
                    code=exc.code,
                    field=FIELD,
                ) from exc
        audit.record_change(
            actor=actor,
            instance=community,
            action="roster_import",
            changes={key: [None, value] for key, value in counts.items()},
            note=filename if filename is not None else getattr(uploaded, "name", ""),
        )
    return RosterResult(houses=houses, counts=counts)


def _column_of(exc: AppError):
    key = {
        "number": "room",
        "unit": "unit",
        "floor": "floor",
        "area_m2": "area_m2",
        "kind": "kind",
        "status": "status",
        "plate": "plates",
        "id_number": "owner_id_number",
        "mobile": "owner_mobile",
        "name": "owner_name",
    }.get(exc.field or "")
    return COLUMNS_BY_KEY.get(key) if key else None


def _import_house(actor, community: Community, plan: HousePlan, buildings: dict, today) -> House:
    building = buildings.get(plan.building)
    if building is None:
        building = services.building_create(actor=actor, community=community, number=plan.building)
        buildings[plan.building] = building
    house = services.house_create(
        actor=actor,
        building=building,
        unit_number=plan.unit,
        number=plan.room,
        floor=plan.floor,
        area_m2=plan.area_m2,
        kind=plan.kind,
        status=plan.status,
        delivered_on=plan.delivered_on,
    )
    start_on = min(plan.delivered_on, today) if plan.delivered_on else today
    for person, is_primary in ((plan.owner, True), (plan.co_owner, False)):
        if person is None:
            continue
        if person.owner is None:
            values = person.values
            person.owner = services.owner_create(
                actor=actor,
                community=community,
                name=values["name"],
                kind=values["kind"],
                mobile=values["mobile"],
                id_type=values["id_type"],
                id_number=values["id_number"],
            )
        services.ownership_add(
            actor=actor, house=house, owner=person.owner, start_on=start_on, is_primary=is_primary
        )
    primary = plan.owner.owner if plan.owner else None
    for plate in plan.plates:
        services.vehicle_add(actor=actor, house=house, plate=plate, owner=primary)
    return house
