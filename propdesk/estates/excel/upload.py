"""Opening an uploaded roster safely and reading its rows as plain values.

Only a real .xlsx is opened: the name, the size limit, the zip signature and the uncompressed size
are checked before openpyxl reads a byte, so a renamed text file, a CSV or a zip bomb is refused
with a message naming the file field. Cells are read as data: formulas are kept as their text and
never evaluated; NUL and other control characters (also in Excel's _x0000_ escaped form) are
dropped.
"""

import datetime
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from propdesk.core.errors import ValidationFailed
from propdesk.estates.excel.columns import COLUMNS, COLUMNS_BY_KEY, REQUIRED_KEYS, normalize_header

MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"
# The roster's XML is at most a few hundred bytes a cell; anything far bigger is a zip bomb.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is tolerated
MAX_READ_COLUMNS = 60
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FIELD = "file"


@dataclass
class RosterRow:
    number: int  # the Excel row number, as the user sees it
    values: dict[str, Any]


@dataclass
class RosterSheet:
    header_row: int
    columns: dict[str, int]  # column key → 0-based position in the sheet
    rows: list[RosterRow] = field(default_factory=list)


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=FIELD)


def check_upload(uploaded) -> None:
    """Refuse anything that is not a plausible .xlsx within the size limit."""
    name = (getattr(uploaded, "name", "") or "").strip().lower()
    if not name.endswith(".xlsx"):
        raise _refuse(_("Upload an Excel workbook (.xlsx)."), "bad_file_type")
    size = uploaded.size
    if not size:
        raise _refuse(_("The file is empty."), "empty_file")
    if size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise _refuse(
            _("The file is larger than %(mb)s MB.")
            % {"mb": f"{settings.IMPORT_MAX_UPLOAD_BYTES / (1024 * 1024):g}"},
            "file_too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(len(XLSX_MAGIC))
    uploaded.seek(0)
    if head != XLSX_MAGIC:
        raise _refuse(_("The file is not an Excel workbook (.xlsx)."), "bad_file_content")
    try:
        with zipfile.ZipFile(uploaded) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(_("The file is not an Excel workbook (.xlsx)."), "bad_file_content") from exc
    finally:
        uploaded.seek(0)
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise _refuse(_("The file is not an Excel workbook (.xlsx)."), "bad_file_content")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(_("The workbook is too large to read."), "file_too_large")


def cell_value(value: Any) -> Any:
    """A cell as plain data: text cleaned of control characters, whole floats as ints."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, str):
        # Excel writes control characters as _xHHHH_ escapes; decode them, then drop them.
        return _CONTROL_CHARS.sub("", unescape(value)).strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float | datetime.date | datetime.time | datetime.timedelta):
        return value
    # Anything else openpyxl hands back (array formulas…) is kept as its text.
    return _CONTROL_CHARS.sub("", str(getattr(value, "text", value))).strip() or None


def _find_header(rows: list[tuple[int, tuple]]) -> tuple[int, dict[str, int]]:
    lookup = {name: column.key for column in COLUMNS for name in column.names()}
    for number, cells in rows:
        found: dict[str, int] = {}
        for position, raw in enumerate(cells):
            key = lookup.get(normalize_header(raw)) if isinstance(raw, str) else None
            if key is None:
                continue
            if key in found:
                raise _refuse(
                    _("The column %(column)s appears twice in the header (row %(row)d).")
                    % {"column": COLUMNS_BY_KEY[key].label, "row": number},
                    "duplicate_column",
                )
            found[key] = position
        if found:
            missing = [COLUMNS_BY_KEY[key].label for key in REQUIRED_KEYS if key not in found]
            if missing:
                raise _refuse(
                    _("The header (row %(row)d) lacks the columns: %(columns)s.")
                    % {"row": number, "columns": "、".join(missing)},
                    "missing_header",
                )
            return number, found
    raise _refuse(
        _("The header row is missing: the first row must hold the template's column titles."),
        "missing_header",
    )


def read_roster(uploaded) -> RosterSheet:
    """Check the upload and return its header and non-empty data rows (at most MAX_ROWS)."""
    check_upload(uploaded)
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged files; all mean the same
        raise _refuse(
            _("The file could not be opened as an Excel workbook."), "bad_file_content"
        ) from exc
    try:
        return _read_first_sheet(workbook)
    except ValidationFailed:
        raise
    except Exception as exc:  # a damaged sheet fails only once it is read
        raise _refuse(
            _("The file could not be opened as an Excel workbook."), "bad_file_content"
        ) from exc
    finally:
        workbook.close()
        uploaded.seek(0)


def _read_first_sheet(workbook) -> RosterSheet:
    if not workbook.worksheets:
        raise _refuse(_("The workbook is empty."), "empty_file")
    rows = workbook.worksheets[0].iter_rows(max_col=MAX_READ_COLUMNS, values_only=True)
    leading: list[tuple[int, tuple]] = []
    number = 0
    for number, cells in enumerate(rows, start=1):
        cleaned = tuple(cell_value(cell) for cell in cells)
        if any(value is not None for value in cleaned):
            leading.append((number, cleaned))
        if len(leading) == HEADER_SEARCH_ROWS or number >= HEADER_SEARCH_ROWS * 10:
            break
    if not leading:
        raise _refuse(_("The workbook is empty."), "empty_file")
    header_row, columns = _find_header(leading)
    sheet = RosterSheet(header_row=header_row, columns=columns)

    def add(row_number: int, cleaned: tuple) -> None:
        values = {
            key: cleaned[position] if position < len(cleaned) else None
            for key, position in columns.items()
        }
        if all(value is None for value in values.values()):
            return
        if len(sheet.rows) >= MAX_ROWS:
            raise _refuse(
                _("The file has more than %(n)s rows; split it into smaller files.")
                % {"n": f"{MAX_ROWS:,}"},
                "too_many_rows",
            )
        sheet.rows.append(RosterRow(number=row_number, values=values))

    for row_number, cleaned in leading:
        if row_number > header_row:
            add(row_number, cleaned)
    width = max(columns.values()) + 1
    for row_number, cells in enumerate(rows, start=number + 1):
        add(row_number, tuple(cell_value(cell) for cell in cells[:width]))
    if not sheet.rows:
        raise _refuse(_("The file has no rows to import."), "empty_file")
    return sheet
