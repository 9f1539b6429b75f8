"""What the procedure pages share: paging, the community filter, and posting to one service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect

from propdesk.core.errors import AppError
from propdesk.estates.selectors import communities_visible_to

PAGE_SIZE = 25


def paginate(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def list_filters(request) -> dict:
    community = request.GET.get("community", "")
    return {
        "community_id": int(community) if community.isdigit() else None,
        "status": request.GET.get("status", "")[:20],
        "q": request.GET.get("q", "")[:40],
    }


def list_context(request, rows, statuses) -> dict:
    filters = list_filters(request)
    return {
        "page": paginate(request, rows),
        "filters": filters,
        "statuses": statuses,
        "communities": communities_visible_to(request.user),
    }


def run(request, action, *, success: str, back: str):
    """Call one service; its refusal becomes an error message on the page it came from."""
    try:
        action()
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect(back)


def form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
