"""Pass one of the roster import: each row on its own, checked with the services' own rules.

Every failing check becomes a RowProblem naming the Excel row, the column and the reason; a row
goes on being checked after its first problem, so the preview lists all that is wrong with it.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.validators import normalize_area, normalize_plate
from propdesk.estates import error_codes, services
from propdesk.estates.excel.columns import (
    COLUMNS_BY_KEY,
    ID_TYPE_VALUES,
    KIND_VALUES,
    OWNER_KIND_VALUES,
    PLATE_SEPARATORS,
    STATUS_VALUES,
    choice_value,
)
from propdesk.estates.excel.upload import RosterRow
from propdesk.estates.models import HouseKind, HouseStatus, IdType, OwnerKind

# The location and floor rules live in the house service; the import applies the very same ones.
from propdesk.estates.services.houses import clean_floor, clean_location_part

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


def cell_text(value: Any) -> str:
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
    match = _DATE_RE.match(cell_text(value))
    if match:
        year, month, day, month8, day8 = match.groups()
        try:
            return datetime.date(int(year), int(month or month8), int(day or day8))
        except ValueError:
            pass
    raise ValidationFailed(_("Enter a date such as 2021-06-30."), code=error_codes.BAD_DATE)


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
        return cell_text(self.row.values.get(key))

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
class RowDraft:
    """What pass one made of a row: its checked values, before the cross-row checks."""

    row: RosterRow
    check: _RowCheck
    house: dict | None
    owner: dict | None
    co_owner: dict | None
    plates: list[str]


def check_row(row: RosterRow, problems: list[RowProblem]) -> RowDraft:
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
    return RowDraft(row, check, house, owner, co_owner, plates)
