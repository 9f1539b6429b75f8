"""The queues page: mine, my department, unassigned, due soon, overdue, awaiting follow-up and
all, with filters, full-text search, deadline order and keyset pages (tickets.selectors)."""

from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, render_page
from propdesk.estates.selectors import communities_visible_to
from propdesk.tickets import configuration, selectors
from propdesk.tickets.forms import QueueFilterForm
from propdesk.tickets.models import Status


def default_queue(user) -> str:
    if has_perm(user, Perm.REQUEST_WORK) and not has_perm(user, Perm.REQUEST_DISPATCH):
        return "mine"  # technicians: the work handed to them
    if has_perm(user, Perm.REQUEST_DISPATCH):
        return "unassigned"
    return "all"


def _filters(request) -> selectors.QueueFilters:
    form = QueueFilterForm(request.GET)
    form.is_valid()
    data = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    return selectors.QueueFilters(
        community_id=data.get("community"),
        building_id=data.get("building"),
        kind=data.get("kind") or "",
        category=data.get("category") or "",
        status=data.get("status") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        q=(data.get("q") or "").strip(),
    )


@console_view
def request_queue(request):
    require(request.user, Perm.REQUEST_VIEW)
    queue = request.GET.get("queue") or default_queue(request.user)
    if queue not in selectors.QUEUES:
        queue = default_queue(request.user)
    filters = _filters(request)
    error = ""
    try:
        page = selectors.request_queue(
            request.user, queue, filters, cursor=request.GET.get("cursor") or None
        )
    except ValidationFailed as exc:
        error = exc.message
        page = selectors.request_queue(request.user, queue, selectors.QueueFilters())
    context = {
        "page": page,
        "queue": queue,
        "queues": list(selectors.QUEUES.items()),
        "filters": filters,
        "error": error,
        "communities": list(communities_visible_to(request.user)),
        "kinds": list(configuration.active_kinds()),
        "categories": list(configuration.active_categories()),
        "statuses": Status.choices,
        "query_without_cursor": _query_without(request, "cursor"),
    }
    status = 400 if error else 200
    return render_page(
        request,
        "tickets/pages/queue.html",
        "tickets/partials/queue_table.html",
        context,
        status=status,
    )


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
