"""Finding the house a procedure starts from: by its id in the link, or by its code through the
shared lookup, which offers every matching house with its community and never guesses."""

from propdesk.core.permissions import Perm
from propdesk.estates.house_lookup import house_lookup
from propdesk.frontdesk.forms import HouseFindForm


def house_from_request(request, perm: Perm = Perm.REGISTRY_VIEW):
    """(house, None) when the request names one house the user may see, else (None, context of
    the find page: the code form and the houses the code matches)."""
    lookup = house_lookup(request, perm=perm)
    if lookup.house is not None:
        return lookup.house, None
    form = HouseFindForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid() and lookup.error:
        form.add_error("code", lookup.error)
    return None, {"find_form": form, "lookup": lookup}
