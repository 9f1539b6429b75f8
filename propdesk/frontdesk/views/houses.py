"""Finding the house a procedure starts from: by its id in the link, or by its code."""

from propdesk.core.errors import NotFound
from propdesk.core.permissions import community_ids
from propdesk.estates.models import House
from propdesk.estates.selectors import house_for_user
from propdesk.frontdesk.forms import HouseFindForm


def house_from_request(request):
    """(house, None) when the request names a house the user may see, else (None, find form)."""
    house_id = request.GET.get("house", "")
    if house_id.isdigit():
        return house_for_user(request.user, house_id), None
    form = HouseFindForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        houses = list(
            House.objects.filter(community_id__in=community_ids(request.user), code=code)[:2]
        )
        if len(houses) == 1:
            return houses[0], None
        form.add_error("code", NotFound.default_message if not houses else _ambiguous())
    return None, form


def _ambiguous():
    from django.utils.translation import gettext as _

    return _("Several communities have this house code: open the house from its community.")
