"""The one lookup every page that starts from a house code uses (move-in, inspection, decoration,
release pass…): the page takes a house id (`?house=<id>`) or a code (`?code=…`); a code offers
every matching house in the user's communities, with its community, the user's own first, and
never picks one itself. Once chosen, links and forms carry the house's id.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from propdesk.core.permissions import Perm
from propdesk.estates.models import House
from propdesk.estates.selectors import house_for_user, houses_by_code


@dataclass
class HouseMatch:
    house: House
    url: str


@dataclass
class HouseLookup:
    """What the request names: the house, or the code typed and the houses it matches."""

    house: House | None
    code: str
    matches: list[HouseMatch]
    error: str = ""


def _url_for(request, house: House, param: str) -> str:
    query = {k: v for k, v in request.GET.items() if k not in {"code", param}}
    query[param] = house.pk
    return f"{request.path}?{urlencode(query)}"


def house_lookup(
    request, *, perm: Perm = Perm.REGISTRY_VIEW, param: str = "house", code_param: str = "code"
) -> HouseLookup:
    """The house `request` names by id (GET or POST), else the houses its code matches.

    A house id outside the user's communities is a 404 (NotFound). A code that matches one house
    only is not a guess: that house is returned, and the page shows its community.
    """
    raw_id = (request.POST.get(param) or request.GET.get(param) or "").strip()
    if raw_id.isdigit():
        return HouseLookup(house_for_user(request.user, int(raw_id), perm), "", [])
    code = (request.GET.get(code_param) or "").strip()[:64]
    if not code and raw_id:
        code = raw_id[:64]  # older links passed the code as ?house=
    if not code:
        return HouseLookup(None, "", [])
    houses = houses_by_code(request.user, code, perm)
    if len(houses) == 1:
        return HouseLookup(houses[0], code, [])
    matches = [HouseMatch(h, _url_for(request, h, param)) for h in houses]
    error = "" if houses else _("No house with this code in your communities.")
    return HouseLookup(None, code, matches, error)
