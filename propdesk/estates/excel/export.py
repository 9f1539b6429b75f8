"""Excel exports of the registry lists, with the list pages' filters and scope.

Rows are streamed: the queryset is read in chunks and openpyxl's write-only mode spools each row to
a temporary file, so a 100,000-house export needs little memory. Mobile and ID numbers are always
masked: an export leaves the system, and revealing is a per-person action with an access-log row.
Every text is written as a string cell, so a name such as "=HYPERLINK(…)" stays text in Excel.

Each list is described as a `Sheet` (its header, widths, row count and rows, built lazily with the
policy checked first); `sheet_write` writes it, reporting progress when the worker writes it
(export_jobs.py: a list longer than the page may write while the user waits).
"""

import datetime
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from propdesk.core.masking import mask_id_number, mask_mobile, mask_plate
from propdesk.core.permissions import Perm, require
from propdesk.estates import selectors
from propdesk.estates.models import (
    House,
    HouseKind,
    HouseStatus,
    IdType,
    Owner,
    OwnerKind,
    Ownership,
    ParkingKind,
    ParkingStatus,
)

CHUNK_ROWS = 2000
EXCEL_MAX_ROWS = 1_048_575  # Excel's row limit, less the header


def _cell(sheet, value: Any, number_format: str | None = None) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if number_format:
        cell.number_format = number_format
    return cell


@dataclass
class Sheet:
    """One list to export: what the file holds, before a row is read."""

    title: str
    header: list[str]
    widths: list[int]
    queryset: QuerySet
    row: Callable[[Any], list]

    @cached_property
    def total(self) -> int:
        return min(self.queryset.count(), EXCEL_MAX_ROWS)

    def rows(self) -> Iterable[list]:
        for item in self.queryset.iterator(chunk_size=CHUNK_ROWS):
            yield self.row(item)


def sheet_write(sheet: Sheet, progress: Callable[[int, int], None] | None = None):
    """Write one sheet to a temporary file and return it, rewound (for a FileResponse or the
    export's storage)."""
    workbook = Workbook(write_only=True)
    out = workbook.create_sheet(title=sheet.title)
    for index, width in enumerate(sheet.widths):
        out.column_dimensions[get_column_letter(index + 1)].width = width
    out.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in sheet.header:
        cell = _cell(out, text)
        cell.font = bold
        header_cells.append(cell)
    out.append(header_cells)
    total = sheet.total if progress else 0
    for count, row in enumerate(sheet.rows(), start=1):
        if count > EXCEL_MAX_ROWS:
            break
        out.append(
            [
                _cell(out, value, "yyyy-mm-dd" if isinstance(value, datetime.date) else None)
                for value in row
            ]
        )
        if progress:
            progress(count, total)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by its reader
    workbook.save(output)
    output.seek(0)
    return output


def export_filename(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def _labels(choices) -> dict:
    """Value → label of a choices class, translated once per export instead of once per row."""
    return {value: str(label) for value, label in choices.choices}


def house_sheet(
    user,
    *,
    community_id: int | None = None,
    building_id: int | None = None,
    status: str = "",
    kind: str = "",
    q: str = "",
) -> Sheet:
    """The house list as it is filtered on its page; owners' mobiles masked."""
    require(user, Perm.REGISTRY_EXPORT)
    # Asking for another community's houses is refused rather than answered with an empty file.
    if community_id:
        require(user, Perm.REGISTRY_EXPORT, community_id)
    if building_id:
        selectors.building_for_user(user, building_id, Perm.REGISTRY_EXPORT)
    houses: QuerySet[House] = selectors.house_list(
        user, community_id=community_id, building_id=building_id, status=status, kind=kind, q=q
    ).select_related("building", "unit")
    kinds, statuses = _labels(HouseKind), _labels(HouseStatus)

    def row(house):
        owners = [o.owner for o in house.current_ownerships]
        return [
            house.code,
            house.community.name,
            house.building.number,
            house.unit.number,
            house.number,
            house.floor,
            house.area_m2,
            kinds.get(house.kind, house.kind),
            statuses.get(house.status, house.status),
            house.delivered_on,
            "、".join(owner.name for owner in owners),
            mask_mobile(owners[0].mobile) if owners else "",
        ]

    header = [
        _("House code"),
        _("Community"),
        _("Building"),
        _("Unit"),
        _("Room"),
        _("Floor"),
        _("Area (m²)"),
        _("Kind"),
        _("Status"),
        _("Delivered on"),
        _("Owners"),
        _("Owner mobile"),
    ]
    widths = [14, 14, 8, 8, 8, 6, 10, 8, 8, 12, 20, 14]
    return Sheet(_("Houses"), header, widths, houses, row)


def owner_sheet(user, *, community_id: int | None = None, q: str = "") -> Sheet:
    """The owner list as it is filtered on its page; mobile and ID numbers masked."""
    require(user, Perm.REGISTRY_EXPORT)
    if community_id:
        require(user, Perm.REGISTRY_EXPORT, community_id)
    owners: QuerySet[Owner] = selectors.owner_list(
        user, community_id=community_id, q=q
    ).prefetch_related(
        Prefetch(
            "ownerships",
            queryset=Ownership.objects.filter(end_on__isnull=True)
            .select_related("house")
            .order_by("house__code"),
            to_attr="current_ownerships",
        )
    )
    kinds, id_types = _labels(OwnerKind), _labels(IdType)

    def row(owner):
        return [
            owner.name,
            kinds.get(owner.kind, owner.kind),
            mask_mobile(owner.mobile),
            id_types.get(owner.id_type, owner.id_type),
            mask_id_number(owner.id_number),
            owner.house_count,
            "、".join(o.house.code for o in owner.current_ownerships),
            owner.community.name,
        ]

    header = [
        _("Name"),
        _("Kind"),
        _("Mobile"),
        _("ID type"),
        _("ID number"),
        _("Houses"),
        _("House codes"),
        _("Community"),
    ]
    return Sheet(_("Owners"), header, [16, 8, 14, 14, 22, 6, 24, 14], owners, row)


def building_sheet(user, *, community_id: int | None = None) -> Sheet:
    """The building list with its house counts."""
    require(user, Perm.REGISTRY_EXPORT)
    if community_id:
        require(user, Perm.REGISTRY_EXPORT, community_id)

    def row(building):
        return [
            building.number,
            building.name,
            building.community.name,
            building.floors,
            building.house_count,
        ]

    header = [_("Building"), _("Name"), _("Community"), _("Floors"), _("Houses")]
    buildings = selectors.building_list(user, community_id=community_id)
    return Sheet(_("Buildings"), header, [10, 16, 14, 6, 8], buildings, row)


def parking_sheet(
    user, *, community_id: int | None = None, status: str = "", kind: str = "", q: str = ""
) -> Sheet:
    """The parking-space list as filtered on its page; plates are masked."""
    require(user, Perm.REGISTRY_EXPORT)
    if community_id:
        require(user, Perm.REGISTRY_EXPORT, community_id)
    spaces = selectors.parking_list(user, community_id=community_id, status=status, kind=kind, q=q)
    kinds, statuses = _labels(ParkingKind), _labels(ParkingStatus)

    def row(space):
        return [
            space.number,
            space.community.name,
            kinds.get(space.kind, space.kind),
            statuses.get(space.status, space.status),
            space.holder.name if space.holder else "",
            space.house.code if space.house else "",
            mask_plate(space.vehicle.plate) if space.vehicle else "",
        ]

    header = [
        _("Space number"),
        _("Community"),
        _("Kind"),
        _("Status"),
        _("Holder"),
        _("House"),
        _("Vehicle"),
    ]
    widths = [10, 14, 10, 8, 14, 12, 12]
    return Sheet(_("Parking spaces"), header, widths, spaces, row)


def house_export(user, **filters):
    return sheet_write(house_sheet(user, **filters))


def owner_export(user, **filters):
    return sheet_write(owner_sheet(user, **filters))


def building_export(user, **filters):
    return sheet_write(building_sheet(user, **filters))


def parking_export(user, **filters):
    return sheet_write(parking_sheet(user, **filters))
