"""What the custody pages share: paging, the user's communities, staff to choose from."""

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from propdesk.accounts.models import User
from propdesk.core.errors import NotFound
from propdesk.core.permissions import (
    Perm,
    community_ids,
    has_perm,
    holders_q,
    require,
)
from propdesk.estates.models import Community, House

PAGE_SIZE = 30


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def community_of(user, community_id, perm: Perm) -> Community:
    """The chosen community, or the user's first one; 404 for one they do not work in."""
    require(user, perm)
    ids = community_ids(user)
    if community_id is None:
        community_id = ids[0] if ids else None
    if community_id not in ids:
        raise NotFound()
    return Community.objects.get(pk=community_id)


def house_by_code(community: Community, code: str) -> House | None:
    code = (code or "").strip()
    if not code:
        return None
    house = House.objects.filter(community=community, code=code).first()
    if house is None:
        from propdesk.core.errors import ValidationFailed

        raise ValidationFailed(_("No house with this code in the community."), field="house_code")
    return house


def staff_choices(community_id: int) -> list[tuple[str, str]]:
    """Staff of the community who may handle keys and see the front desk."""
    users = (
        User.objects.filter(holders_q(Perm.FRONTDESK_VIEW), communities__id=community_id)
        .order_by("username")
        .distinct()
    )
    return [
        (str(u.pk), f"{u.display_name} · {u.get_role_display()}")
        for u in users
        if has_perm(u, Perm.FRONTDESK_VIEW)
    ]
