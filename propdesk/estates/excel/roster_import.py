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
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils.datetime import from_excel

from propdesk.core import audit
from propdesk.core.errors import AppError, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_area, normalize_plate
from propdesk.estates import services
from propdesk.estates.excel.columns import (
    COLUMNS,
    COLUMNS_BY_KEY,
    EXAMPLE_ROW,
    ID_TYPE_VALUES,
    KIND_VALUES,
    OWNER_KIND_VALUES,
    PLATE_SEPARATORS,
    STATUS_VALUES,
    choice_value,
)
from propdesk.estates.excel.upload import FIELD, RosterRow, read_roster
from propdesk.estates.models import (
    Building,
    Community,
    House,
    HouseKind,
    HouseStatus,
    IdType,
    Owner,
    OwnerKind,
    Vehicle,
)
from propdesk.estates.services._common import clean_choice, clean_field, clean_text

# The location and floor rules live in the house service; the import applies the very same ones.
from propdesk.estates.services.houses import _clean_floor as clean_floor
from propdesk.estates.services.houses import _clean_location_part as clean_location_part

QUERY_CHUNK = 500

# Which column a field named by clean_owner_fields belongs to, for the owner and the co-owner.
OWNER_COLUMNS = {
    "kind": "owner_kind",
    "id_type": "owner_id_type",
    "name": "owner_name",
    "mobile": "owner_mobile",
    "id_number": "owner_id_number",
    "note": "owner_name",
}
CO_OWNER_COLUMNS = {
    "kind": "co_owner_name",
    "id_type": "co_owner_id_number",
    "name": "co_owner_name",
    "mobile": "co_owner_mobile",
    "id_number": "co_owner_id_number",
    "note": "co_owner_name",
}
_DATE_RE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$")


@dataclass
class RowProblem:
    row: int
    column: str
    message: str
    code: str = "invalid"

    @property
    def column_label(self) -> str:
        return COLUMNS_BY_KEY[self.column].label

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "message": str(self.message),
            "code": self.code,
        }


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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int) and 20_000 <= value <= 80_000:  # a date cell without its format
        return from_excel(value).date()
    match = _DATE_RE.match(_text(value))
    if match:
        year, month, day, month8, day8 = match.groups()
        try:
            return datetime.date(int(year), int(month or month8), int(day or day8))
        except ValueError:
            pass
    raise ValidationFailed(_("Enter a date such as 2021-06-30."), code="bad_date")


class _RowCheck:
    """Collects every problem of one row; each check returns None when it fails."""

    def __init__(self, row: RosterRow, problems: list[RowProblem]):
        self.row = row
        self.problems = problems  # shared by every row of the file
        self.count = 0

    @property
    def ok(self) -> bool:
        return self.count == 0

    def text(self, key: str) -> str:
        return _text(self.row.values.get(key))

    def add(self, column: str, message, code: str = "invalid") -> None:
        self.problems.append(RowProblem(self.row.number, column, str(message), code))
        self.count += 1

    def run(self, column: str, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationFailed as exc:
            self.add(column, exc.message, exc.code)
            return None

    def required(self, column: str) -> str | None:
        text = self.text(column)
        return self.run(column, clean_text, column, text, max_length=100, required=True)

    def choice(self, column: str, aliases: dict, choices, default: str) -> str | None:
        raw = self.text(column)
        if not raw:
            return default
        value = choice_value(raw, aliases, choices)
        if value is None:
            allowed = "、".join(list(aliases) + list(choices.values))
            self.add(
                column,
                _("Unknown value “%(value)s”: use one of %(allowed)s.")
                % {"value": raw, "allowed": allowed},
                "bad_choice",
            )
            return None
        return self.run(column, clean_choice, column, value, choices)


def _check_person(check: _RowCheck, *, co_owner: bool) -> dict | None:
    """An owner's (or co-owner's) identity, validated by the owner service's own rules."""
    prefix = "co_owner" if co_owner else "owner"
    name, mobile, id_number = (
        check.text(f"{prefix}_{part}") for part in ("name", "mobile", "id_number")
    )
    if not (name or mobile or id_number):
        return None
    if co_owner:
        kind, id_type = OwnerKind.PERSON, IdType.RESIDENT_ID
    else:
        kind = check.choice("owner_kind", OWNER_KIND_VALUES, OwnerKind, OwnerKind.PERSON)
        default_id_type = IdType.CREDIT_CODE if kind == OwnerKind.COMPANY else IdType.RESIDENT_ID
        id_type = check.choice("owner_id_type", ID_TYPE_VALUES, IdType, default_id_type)
        if kind is None or id_type is None:
            return None
    columns = CO_OWNER_COLUMNS if co_owner else OWNER_COLUMNS
    try:
        return services.clean_owner_fields(
            kind=kind, name=name, mobile=mobile, id_type=id_type, id_number=id_number
        )
    except ValidationFailed as exc:
        check.add(columns.get(exc.field or "name", f"{prefix}_name"), exc.message, exc.code)
        return None


def _check_plates(check: _RowCheck) -> list[str]:
    plates: list[str] = []
    for raw in PLATE_SEPARATORS.split(check.text("plates")):
        if not raw:
            continue
        try:
            plate, _new_energy = clean_field(
                "plate", normalize_plate, clean_text("plate", raw, max_length=20, required=True)
            )
        except ValidationFailed as exc:
            check.add("plates", f"{raw}: {exc.message}", exc.code)
            continue
        if plate in plates:
            check.add(
                "plates", _("Plate %(plate)s is listed twice.") % {"plate": plate}, "duplicate"
            )
            continue
        plates.append(plate)
    return plates


@dataclass
class _Draft:
    """What pass one made of a row: its checked values, before the cross-row checks."""

    row: RosterRow
    check: _RowCheck
    house: dict | None
    owner: dict | None
    co_owner: dict | None
    plates: list[str]


def _check_row(row: RosterRow, problems: list[RowProblem]) -> _Draft:
    check = _RowCheck(row, problems)
    building = check.run("building", clean_location_part, "number", check.text("building"))
    unit = check.run("unit", clean_location_part, "unit", check.text("unit"))
    room = check.run("room", clean_location_part, "number", check.text("room"))
    floor = check.required("floor") and check.run("floor", clean_floor, check.text("floor"))
    area = check.required("area_m2") and check.run(
        "area_m2", clean_field, "area_m2", normalize_area, check.text("area_m2")
    )
    kind = check.choice("kind", KIND_VALUES, HouseKind, HouseKind.RESIDENTIAL)
    status = check.choice("status", STATUS_VALUES, HouseStatus, HouseStatus.UNSOLD)
    delivered_on = None
    if check.text("delivered_on"):
        delivered_on = check.run("delivered_on", _parse_date, row.values["delivered_on"])
    house = None
    if building and unit and room:
        house = {
            "building": building,
            "unit": unit,
            "room": room,
            "floor": floor,
            "area_m2": area,
            "kind": kind,
            "status": status,
            "delivered_on": delivered_on,
        }
    owner = _check_person(check, co_owner=False)
    co_owner = _check_person(check, co_owner=True)
    owner_given = any(check.text(f"owner_{part}") for part in ("name", "mobile", "id_number"))
    if co_owner is not None and not owner_given:
        check.add(
            "co_owner_name", _("A co-owner needs an owner in the same row."), "co_owner_alone"
        )
    plates = _check_plates(check)
    return _Draft(row, check, house, owner, co_owner, plates)


def _chunked(values: list, size: int = QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _is_example(row: RosterRow) -> bool:
    return all(_text(row.values.get(key)) == _text(EXAMPLE_ROW[key]) for key in EXAMPLE_ROW)


def roster_preview(*, actor, community: Community, uploaded) -> RosterPreview:
    """Dry run: read and check the whole file, write nothing, list every bad row."""
    require(actor, Perm.REGISTRY_IMPORT, community.id)
    sheet = read_roster(uploaded)
    rows = sheet.rows
    skipped_example = bool(rows) and _is_example(rows[0])
    if skipped_example:
        rows = rows[1:]
    if not rows:
        raise ValidationFailed(_("The file has no rows to import."), code="empty_file", field=FIELD)
    problems: list[RowProblem] = []
    drafts = [_check_row(row, problems) for row in rows]
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


def _plan(community: Community, drafts: list[_Draft]) -> list[HousePlan]:
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

    def person(draft: _Draft, values: dict | None, column: str) -> PersonPlan | None:
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


def roster_commit(
    *, actor, community: Community, uploaded, filename: str | None = None
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
            code="bad_rows",
            field=FIELD,
        )
    counts = preview.counts
    today = timezone.localdate()
    houses: list[House] = []
    with transaction.atomic():
        buildings = {b.number: b for b in Building.objects.filter(community=community)}
        for plan in preview.houses:
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
