"""The owner's view of their requests: status in plain words, who handles it, when it will be
done (DOMAIN.md §2: transparent progress). Owners see only their own houses' requests. The full
owner portal is its own app; this page is what the request side offers it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from propdesk.estates.models import Ownership
from propdesk.tickets.models import ServiceRequest
from propdesk.tickets.owner_text import owner_status_text


def owner_requests_of(user):
    houses = Ownership.objects.filter(owner__user=user, end_on__isnull=True).values(
        "community_id", "house_id"
    )
    pairs = list(houses)
    if not pairs:
        return ServiceRequest.objects.none()
    from django.db.models import Q

    scope = Q()
    for pair in pairs:
        scope |= Q(community_id=pair["community_id"], house_id=pair["house_id"])
    return (
        ServiceRequest.objects.filter(scope)
        .select_related("house", "category", "department")
        .order_by("-created_at", "-id")
    )


@login_required
def owner_requests(request):
    items = list(owner_requests_of(request.user)[:50])
    for item in items:
        item.owner_status = owner_status_text(item)
    return render(request, "tickets/pages/owner_requests.html", {"items": items})
