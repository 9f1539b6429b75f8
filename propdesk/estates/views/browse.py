"""Registry pages of the staff console: thin views over estates.selectors and estates.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.homes import home_url_for
from propdesk.accounts.models import Role
from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, require
from propdesk.core.unreachable import address_mark_clear, address_unreachable
from propdesk.core.views import console_view, render_page
from propdesk.estates import house_links, search, selectors, services
from propdesk.estates.models import HouseKind, HouseStatus, ParkingKind, ParkingStatus

PAGE_SIZE = 30


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def home(request):
    """Each role's home: an owner is sent to the owner portal with a sentence saying why; staff
    land on the page of their daily work (homes.ROLE_HOMES), the others on the search."""
    if request.user.role == Role.OWNER:
        messages.info(
            request,
            _(
                "This address is the staff console. Owners use the owner portal: your houses, "
                "requests and bills are here."
            ),
        )
        return redirect("portal:home")
    home_url = home_url_for(request.user)
    if home_url and "q" not in request.GET:
        return redirect(home_url)
    return search_page(request)


@console_view
def search_page(request):
    q = request.GET.get("q", "").strip()
    hits = search.registry_search(request.user, q) if q else []
    context = {"q": q, "hits": hits, "searched": bool(q)}
    return render_page(
        request, "estates/pages/home.html", "estates/partials/search_results.html", context
    )


@console_view
def community_list(request):
    require(request.user, Perm.REGISTRY_VIEW)
    communities = selectors.communities_visible_to(request.user)
    return render(request, "estates/pages/community_list.html", {"communities": communities})


@console_view
def house_list(request):
    require(request.user, Perm.REGISTRY_VIEW)
    filters = {
        "community_id": _int_or_none(request.GET.get("community")),
        "building_id": _int_or_none(request.GET.get("building")),
        "status": request.GET.get("status", "")
        if request.GET.get("status") in HouseStatus.values
        else "",
        "kind": request.GET.get("kind", "") if request.GET.get("kind") in HouseKind.values else "",
        "q": request.GET.get("q", "")[:40],
    }
    houses = selectors.house_list(request.user, **filters)
    context = {
        "page": _page(request, houses),
        "filters": filters,
        "communities": selectors.communities_visible_to(request.user),
        "statuses": HouseStatus.choices,
        "kinds": HouseKind.choices,
    }
    return render_page(
        request, "estates/pages/house_list.html", "estates/partials/house_table.html", context
    )


@console_view
def house_detail(request, house_id: int):
    house = selectors.house_detail(request.user, house_id)
    links = house_links.links_for(request.user, house)
    return render(request, "estates/pages/house_detail.html", {"house": house, "links": links})


@console_view
def owner_list(request):
    require(request.user, Perm.REGISTRY_VIEW)
    community_id = _int_or_none(request.GET.get("community"))
    q = request.GET.get("q", "")[:40]
    owners = selectors.owner_list(request.user, community_id=community_id, q=q, with_counts=False)
    page = _page(request, owners)
    page.object_list = selectors.with_house_counts(page.object_list)
    context = {
        "page": page,
        "filters": {"community_id": community_id, "q": q},
        "communities": selectors.communities_visible_to(request.user),
    }
    return render_page(
        request, "estates/pages/owner_list.html", "estates/partials/owner_table.html", context
    )


@console_view
def owner_detail(request, owner_id: int):
    owner = selectors.owner_detail(request.user, owner_id)
    unreachable = address_unreachable("sms", owner.mobile) if owner.mobile else None
    context = {"owner": owner, "mobile_unreachable": unreachable}
    return render(request, "estates/pages/owner_detail.html", context)


@require_POST
@console_view
def owner_mobile_clear_mark(request, owner_id: int):
    """Staff say the owner's mobile works (or corrected it): SMS go to it again."""
    owner = selectors.owner_detail(request.user, owner_id)
    if owner.mobile:
        address_mark_clear(
            actor=request.user, channel="sms", address=owner.mobile, community_id=owner.community_id
        )
        messages.success(request, _("SMS will be sent to this number again."))
    return redirect("owner_detail", owner_id=owner.id)


REVEAL_SUBJECTS = {
    "owner": selectors.owner_for_user,
    "resident": selectors.resident_for_user,
    "agent": selectors.agent_for_user,
    "vehicle": selectors.vehicle_for_user,
}


@require_POST
@console_view
def reveal(request, subject: str, subject_id: int, field: str):
    """Show one masked value in place (htmx) and write the access-log row."""
    fetch = REVEAL_SUBJECTS.get(subject)
    if fetch is None:
        return HttpResponse(status=404)
    record = fetch(request.user, subject_id)
    try:
        value = services.personal_data_reveal(actor=request.user, subject=record, field=field)
    except AppError as exc:
        return HttpResponse(str(exc.message), status=exc.status)
    return render(request, "estates/partials/revealed.html", {"value": value, "field": field})


@console_view
def access_log(request):
    community_id = _int_or_none(request.GET.get("community"))
    entries = selectors.access_log(request.user, community_id=community_id)
    context = {
        "page": _page(request, entries),
        "communities": selectors.communities_visible_to(request.user),
        "community_id": community_id,
    }
    return render(request, "estates/pages/access_log.html", context)


@console_view
def document_download(request, document_id: int):
    document = selectors.document_for_user(request.user, document_id)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name or document.archive_number,
        content_type=document.content_type,
    )


@console_view
def building_list(request):
    require(request.user, Perm.REGISTRY_VIEW)
    community_id = _int_or_none(request.GET.get("community"))
    buildings = selectors.building_list(request.user, community_id=community_id)
    context = {
        "page": _page(request, buildings),
        "communities": selectors.communities_visible_to(request.user),
        "community_id": community_id,
    }
    return render(request, "estates/pages/building_list.html", context)


@console_view
def parking_list(request):
    require(request.user, Perm.REGISTRY_VIEW)
    filters = {
        "community_id": _int_or_none(request.GET.get("community")),
        "status": request.GET.get("status")
        if request.GET.get("status") in ParkingStatus.values
        else "",
        "kind": request.GET.get("kind") if request.GET.get("kind") in ParkingKind.values else "",
        "q": request.GET.get("q", "")[:20],
    }
    spaces = selectors.parking_list(request.user, **filters)
    context = {
        "page": _page(request, spaces),
        "filters": filters,
        "communities": selectors.communities_visible_to(request.user),
        "statuses": ParkingStatus.choices,
        "kinds": ParkingKind.choices,
    }
    return render_page(
        request, "estates/pages/parking_list.html", "estates/partials/parking_table.html", context
    )
