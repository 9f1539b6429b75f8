"""Excel exports of the registry lists, with the list pages' filters and scope.

Rows are streamed: the queryset is read in chunks and openpyxl's write-only mode spools each row to
a temporary file, so a 100,000-house export needs little memory. Mobile and ID numbers are always
masked: an export leaves the system, and revealing is a per-person action with an access-log row.
Every text is written as a string cell, so a name such as "=HYPERLINK(…)" stays text in Excel.
"""

import datetime
import tempfile
from collections.abc import Iterable
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
from propdesk.estates.models import House, Owner, Ownership

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


def _write(title: str, header: list[str], rows: Iterable[list], widths: list[int]):
    """Write one sheet to a temporary file and return it, rewound, for a FileResponse."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = _cell(sheet, text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for count, row in enumerate(rows):
        if count >= EXCEL_MAX_ROWS:
            break
        sheet.append(
            [
                _cell(sheet, value, "yyyy-mm-dd" if isinstance(value, datetime.date) else None)
                for value in row
            ]
        )
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    workbook.save(output)
    output.seek(0)
    return output


def export_filename(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def house_export(
    user,
    *,
    community_id: int | None = None,
    building_id: int | None = None,
    status: str = "",
    kind: str = "",
    q: str = "",
):
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

    def rows():
        for house in houses.iterator(chunk_size=CHUNK_ROWS):
            owners = [o.owner for o in house.current_ownerships]
            yield [
                house.code,
                house.community.name,
                house.building.number,
                house.unit.number,
                house.number,
                house.floor,
                house.area_m2,
                house.get_kind_display(),
                house.get_status_display(),
                house.delivered_on,
                "、".join(owner.name for owner in owners),
                mask_mobile(owners[0].mobile) if owners else "",
            ]

    widths = [14, 14, 8, 8, 8, 6, 10, 8, 8, 12, 20, 14]
    return _write(_("Houses"), header, rows(), widths)


def owner_export(user, *, community_id: int | None = None, q: str = ""):
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

    def rows():
        for owner in owners.iterator(chunk_size=CHUNK_ROWS):
            yield [
                owner.name,
                owner.get_kind_display(),
                mask_mobile(owner.mobile),
                owner.get_id_type_display(),
                mask_id_number(owner.id_number),
                owner.house_count,
                "、".join(o.house.code for o in owner.current_ownerships),
                owner.community.name,
            ]

    widths = [16, 8, 14, 14, 22, 6, 24, 14]
    return _write(_("Owners"), header, rows(), widths)


def building_export(user, *, community_id: int | None = None):
    """The building list with its house counts."""
    require(user, Perm.REGISTRY_EXPORT)
    if community_id:
        require(user, Perm.REGISTRY_EXPORT, community_id)
    buildings = selectors.building_list(user, community_id=community_id)
    header = [_("Building"), _("Name"), _("Community"), _("Floors"), _("Houses")]

    def rows():
        for building in buildings.iterator(chunk_size=CHUNK_ROWS):
            yield [
                building.number,
                building.name,
                building.community.name,
                building.floors,
                building.house_count,
            ]

    return _write(_("Buildings"), header, rows(), [10, 16, 14, 6, 8])


def parking_export(
    user, *, community_id: int | None = None, status: str = "", kind: str = "", q: str = ""
):
    """The parking-space list as filtered on its page; plates are masked."""
    require(user, Perm.REGISTRY_EXPORT)
    if community_id:
        require(user, Perm.REGISTRY_EXPORT, community_id)
    spaces = selectors.parking_list(user, community_id=community_id, status=status, kind=kind, q=q)
    header = [
        _("Space number"),
        _("Community"),
        _("Kind"),
        _("Status"),
        _("Holder"),
        _("House"),
        _("Vehicle"),
    ]

    def rows():
        for space in spaces.iterator(chunk_size=CHUNK_ROWS):
            yield [
                space.number,
                space.community.name,
                space.get_kind_display(),
                space.get_status_display(),
                space.holder.name if space.holder else "",
                space.house.code if space.house else "",
                mask_plate(space.vehicle.plate) if space.vehicle else "",
            ]

    return _write(_("Parking spaces"), header, rows(), [10, 14, 10, 8, 14, 12, 12])
