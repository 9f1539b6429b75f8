"""Pages of the exports the worker prepares: the user's list, one export's progress, its file."""

from django.http import FileResponse
from django.shortcuts import redirect, render

from propdesk.core import exports
from propdesk.core.errors import Conflict
from propdesk.core.views import console_view


@console_view
def export_list(request):
    """The user's exports of the last week, newest first, with their state."""
    return render(request, "core/exports/list.html", {"jobs": exports.exports_of(request.user)})


@console_view
def export_detail(request, job_id: int):
    """One export's progress; htmx polls the partial until the file is ready (or failed)."""
    job = exports.export_for_user(request.user, job_id)
    context = {"job": job}
    if request.headers.get("HX-Request"):
        return render(request, "core/exports/partials/progress.html", context)
    return render(request, "core/exports/detail.html", context)


@console_view
def export_download(request, job_id: int):
    """The finished file, to the user who asked for it; before it is ready, its progress."""
    try:
        handle, filename = exports.export_open(request.user, job_id)
    except Conflict:
        return redirect("export_detail", job_id)
    return FileResponse(handle, as_attachment=True, filename=filename)
