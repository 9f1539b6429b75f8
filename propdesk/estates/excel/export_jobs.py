"""The registry lists as exports the worker writes (core.exports), for lists too long to write while
the user waits: a company's 200,000 houses took 108 s, past any web server's time limit.

The pages write up to `SYNC_ROWS` rows at once and offer the worker for longer lists; the API
(`POST /api/exports/`, kinds `registry.houses`, `registry.owners`, `registry.buildings`,
`registry.parking`) always goes through the worker. Both take the list pages' filters, checked
here the same way: a wrong value is refused naming its field, never silently dropped.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.core.cleaning import clean_choice, clean_id, clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.exports import Exporter, exporter_register
from propdesk.core.permissions import Perm
from propdesk.estates import selectors
from propdesk.estates.excel import export
from propdesk.estates.models import HouseKind, HouseStatus, ParkingKind, ParkingStatus

SYNC_ROWS = 10_000  # about 2.5 s of writing (a community of 5,000 houses: 1.1 s, measured)


def _id(field: str, value) -> int | None:
    """A community or building id; empty (or 0) means all."""
    return clean_id(field, value) or None


def _choice(choices: type[models.TextChoices]) -> Callable[[str, object], str]:
    def clean(field: str, value) -> str:
        return "" if value in (None, "") else clean_choice(field, value, choices)

    return clean


def _text(max_length: int) -> Callable[[str, object], str]:
    def clean(field: str, value) -> str:
        if value is not None and not isinstance(value, str):
            raise ValidationFailed(_("Enter text."), field=field)
        return clean_text(field, value, max_length=max_length)

    return clean


@dataclass(frozen=True)
class RegistryExport:
    name: str  # houses, owners, buildings, parking
    label: str
    sheet: Callable
    filters: dict[str, Callable[[str, object], object]]
    list_url: str

    @property
    def kind(self) -> str:
        return f"registry.{self.name}"

    def clean(self, data: Mapping) -> dict:
        """The list page's filters from a query string or a JSON object, each checked."""
        return {field: clean(field, data.get(field)) for field, clean in self.filters.items()}

    def write_sheet(self, actor, filters: dict):
        """The sheet of these (clean) filters, the user's right to it checked."""
        kwargs = {_ARGUMENTS.get(field, field): value for field, value in filters.items()}
        return self.sheet(actor, **kwargs)


_ARGUMENTS = {"community": "community_id", "building": "building_id"}
FIELD_LABELS = {
    "community": gettext_lazy("Community"),
    "building": gettext_lazy("Building"),
    "status": gettext_lazy("Status"),
    "kind": gettext_lazy("Kind"),
    "q": gettext_lazy("Search"),
}


EXPORTS = {
    spec.name: spec
    for spec in (
        RegistryExport(
            "houses",
            gettext_lazy("Houses"),
            export.house_sheet,
            {
                "community": _id,
                "building": _id,
                "status": _choice(HouseStatus),
                "kind": _choice(HouseKind),
                "q": _text(40),
            },
            "house_list",
        ),
        RegistryExport(
            "owners",
            gettext_lazy("Owners"),
            export.owner_sheet,
            {"community": _id, "q": _text(40)},
            "owner_list",
        ),
        RegistryExport(
            "buildings",
            gettext_lazy("Buildings"),
            export.building_sheet,
            {"community": _id},
            "building_list",
        ),
        RegistryExport(
            "parking",
            gettext_lazy("Parking spaces"),
            export.parking_sheet,
            {
                "community": _id,
                "status": _choice(ParkingStatus),
                "kind": _choice(ParkingKind),
                "q": _text(20),
            },
            "parking_list",
        ),
    )
}


def _exporter(spec: RegistryExport) -> Exporter:
    def check(actor, params: dict) -> tuple[dict, str]:
        filters = spec.clean(params)
        spec.write_sheet(actor, filters)  # the policy: the right, the community, the building
        where = _("all communities")
        if filters.get("community"):
            where = selectors.community_for_user(
                actor, filters["community"], Perm.REGISTRY_EXPORT
            ).name
        return filters, _("%(list)s of %(where)s") % {"list": spec.label, "where": where}

    def write(actor, params: dict, progress):
        sheet = spec.write_sheet(actor, spec.clean(params))
        return export.export_filename(spec.name), export.sheet_write(sheet, progress)

    return Exporter(kind=spec.kind, check=check, write=write)


def exporters_register() -> None:
    for spec in EXPORTS.values():
        exporter_register(_exporter(spec))
