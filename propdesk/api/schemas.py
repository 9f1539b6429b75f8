"""Building blocks every app's API schemas share: error bodies, safe text types, ids and paging.

Validation at the edge (STYLE.md rule 3): text is length-limited and free of control characters
(NUL bytes and the like never reach a service or a database), ids fit a 64-bit column, and list
endpoints page with `limit`/`offset` (`propdesk.api.lists.paged`). The error bodies here are
what the exception handlers in `propdesk.api.urls` send, declared on every endpoint so the
OpenAPI document is honest.
"""

import datetime
import re
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from pydantic import AfterValidator, BeforeValidator, Strict, StringConstraints

MAX_ID = 2**63 - 1
MAX_OFFSET = 10_000_000
MAX_LIMIT = 100
DEFAULT_LIMIT = 20

# C0 controls other than tab, line feed and carriage return, plus DEL.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK_RE = re.compile(r"[\t\n\r]")
_MARKUP_RE = re.compile(r"[<>]")
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# --- error bodies ---------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str = Field(..., description="Stable error code clients can react to")
    message: str = Field(..., description="Translated, human-readable explanation")
    field: str | None = Field(None, description="The input field at fault, when there is one")


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut] = Field(default_factory=list)


def error_responses(*codes: int) -> dict:
    """`response=` entries for the error statuses an endpoint can answer with."""
    return {code: ValidationErrorOut if code == 422 else ErrorOut for code in codes}


# Any request may be refused with 400: a NUL character in a parameter, a bad period or date, an
# id the service cannot read.
READ_ERRORS = error_responses(400, 401, 403, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


# --- text -----------------------------------------------------------------------------------


def _no_control_characters(value: str) -> str:
    if _CONTROL_RE.search(value):
        raise ValueError(_("This field holds characters that are not allowed."))
    return value


def _single_line(value: str) -> str:
    _no_control_characters(value)
    if _LINE_BREAK_RE.search(value):
        raise ValueError(_("Keep this field on one line."))
    return value


def _plain_name(value: str) -> str:
    _single_line(value)
    if _MARKUP_RE.search(value):
        raise ValueError(_("A name cannot contain < or >."))
    return value


def Line(max_length: int, *, required: bool = False):  # noqa: N802 (a type factory)
    """One line of text: no control characters or line breaks, at most `max_length` long."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, max_length=max_length, min_length=1 if required else 0
        ),
        AfterValidator(_single_line),
    ]


def Text(max_length: int, *, required: bool = False):  # noqa: N802
    """Free text that may span lines; control characters such as NUL are refused."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, max_length=max_length, min_length=1 if required else 0
        ),
        AfterValidator(_no_control_characters),
    ]


def Name(max_length: int, *, required: bool = True):  # noqa: N802
    """A person's, a company's or a building's name: one line, no markup characters."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
        AfterValidator(_plain_name),
    ]


def Code(max_length: int):  # noqa: N802
    """A building, unit or room number: letters and digits only (house codes join them by '-')."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1,
            max_length=max_length,
            pattern=r"^[0-9A-Za-z]+$",
        ),
    ]


def Mobile(*, required: bool = False):  # noqa: N802
    """A mobile number as typed: ASCII digits, '+', '-' and spaces (the service checks it)."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1 if required else 0,
            max_length=20,
            pattern=r"^[0-9+ -]*$",
        ),
    ]


def IdNumber(*, required: bool = False):  # noqa: N802
    """An ID document number as typed: ASCII letters, digits and spaces."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1 if required else 0,
            max_length=30,
            pattern=r"^[0-9A-Za-z ]*$",
        ),
    ]


def _iso_date(value):
    """Dates arrive as YYYY-MM-DD text; numbers (read as Unix times by pydantic) are refused."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE_RE.match(value.strip()):
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    return value.strip()


def _date_in_range(value: datetime.date) -> datetime.date:
    """Within the years core.cleaning accepts, so date arithmetic never leaves the calendar."""
    from propdesk.core.cleaning import EARLIEST_DAY, LATEST_DAY

    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year}
        )
    return value


Date = Annotated[datetime.date, BeforeValidator(_iso_date), AfterValidator(_date_in_range)]
# Ids and numbers in JSON bodies are strict: `true` or `"7"` is not an id, 16.0 is not a floor.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


# --- paging ---------------------------------------------------------------------------------


class Paging(Schema):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_ID,
        description=f"Rows per page; values above {MAX_LIMIT} are capped at {MAX_LIMIT}.",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


class PageOut(Schema):
    count: int = Field(..., description="Rows matching the filters, over all pages")
    limit: int
    offset: int


def page(queryset, paging: Paging) -> dict:
    """One page of `queryset` as {count, limit, offset, items}, with the limit capped."""
    limit = min(paging.limit, MAX_LIMIT)
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": paging.offset,
        "items": list(queryset[paging.offset : paging.offset + limit]),
    }


def choices_of(choices, *extra: str):
    """The `Literal` of a model's choice values (and `extra`, e.g. "" for "any"): the API's
    enums are derived from the model's choices, never copied by hand."""
    return Literal[(*choices.values, *extra)]


# --- histories --------------------------------------------------------------------------------


class HistoryEntryOut(Schema):
    """One entry of a record's history as a person reads it (`core.audit.describe_events`)."""

    action: str = Field(..., description="The action's code, e.g. status_change")
    action_label: str = Field(..., description="The action in the user's language")
    at: datetime.datetime
    actor: str | None = Field(None, description="Who did it, by name (none for the system)")
    changes: dict = Field(..., description="field → [before, after], as recorded")
    display: str = Field(
        ..., description="The entry in plain language: labels and names, not codes"
    )
    note: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.display_name if obj.actor_id else None


def history_of(obj) -> list:
    """The `timeline` a detail selector attached to `obj`, described for the API."""
    from propdesk.core.audit import describe_events

    return describe_events(getattr(obj, "timeline", None) or [])
