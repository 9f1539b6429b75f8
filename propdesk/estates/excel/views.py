"""Console pages for the roster import and the Excel exports: thin views over this package."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from propdesk.core.errors import AppError, Conflict, PermissionDenied, ValidationFailed
from propdesk.core.exports import export_start
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, form_error
from propdesk.estates import selectors
from propdesk.estates.excel import export, export_jobs
from propdesk.estates.excel.jobs import job_load, job_start
from propdesk.estates.excel.pending import pending_load, pending_save
from propdesk.estates.excel.roster_import import roster_preview
from propdesk.estates.excel.template import TEMPLATE_FILENAME, roster_template
from propdesk.estates.models import Community

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "estates/excel/roster_import.html"


class RosterUploadForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities_visible_to(user)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            )


@console_view
def roster_import(request):
    """Upload → preview (counts and every bad row) → commit the kept file, all or nothing."""
    require(request.user, Perm.REGISTRY_IMPORT)
    if request.method == "POST" and "ticket" in request.POST:
        return _commit(request)
    form = RosterUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=request.user,
    )
    context = {"form": form}
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            community = form.cleaned_data["community"]
            uploaded = form.cleaned_data["file"]
            try:
                preview = roster_preview(actor=request.user, community=community, uploaded=uploaded)
                ticket = (
                    pending_save(user=request.user, community_id=community.id, uploaded=uploaded)
                    if preview.ok
                    else ""
                )
            except PermissionDenied:
                raise
            except AppError as exc:
                form_error(form, exc)
            else:
                status = 200
                context.update(preview=preview, ticket=ticket, file_name=uploaded.name)
    return render(request, PAGE, context, status=status)


def _commit(request):
    """Hand the kept file to the worker and follow the job's progress on its own page."""
    try:
        pending = pending_load(user=request.user, ticket=request.POST.get("ticket", ""))
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("roster_import")
    community = selectors.community_for_user(
        request.user, pending.community_id, Perm.REGISTRY_IMPORT
    )
    job = job_start(user=request.user, community=community, pending=pending)
    return redirect("roster_import_job", job_id=job.id)


@console_view
def roster_import_job(request, job_id: str):
    """Progress of a background import; htmx polls the partial until the job is finished."""
    require(request.user, Perm.REGISTRY_IMPORT)
    job = job_load(user=request.user, job_id=job_id)
    community = selectors.community_for_user(request.user, job.community_id, Perm.REGISTRY_IMPORT)
    context = {"job": job, "community": community}
    if request.headers.get("HX-Request"):
        return render(request, "estates/excel/partials/job_progress.html", context)
    return render(request, "estates/excel/roster_job.html", context)


@console_view
def roster_template_download(request):
    require(request.user, Perm.REGISTRY_IMPORT)
    response = HttpResponse(roster_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response


def _xlsx(output, stem: str) -> FileResponse:
    return FileResponse(
        output,
        as_attachment=True,
        filename=export.export_filename(stem),
        content_type=XLSX_TYPE,
    )


def _registry_export(request, name: str):
    """A registry list with the filters of its page: written at once when it is short, otherwise
    offered to the worker (a POST of the same filters asks for it)."""
    spec = export_jobs.EXPORTS[name]
    data = request.POST if request.method == "POST" else request.GET
    query = {field: data[field] for field in spec.filters if data.get(field)}
    back = reverse(spec.list_url) + (f"?{urlencode(query)}" if query else "")
    try:
        filters = spec.clean(data)
        if request.method == "POST":
            job = export_start(actor=request.user, kind=spec.kind, params=filters)
            return redirect("export_detail", job.id)
    except (ValidationFailed, Conflict) as exc:
        label = export_jobs.FIELD_LABELS.get(exc.field or "")
        messages.error(request, f"{label}: {exc.message}" if label else exc.message)
        return redirect(back)
    sheet = spec.write_sheet(request.user, filters)
    if sheet.total > export_jobs.SYNC_ROWS:
        context = {"spec": spec, "total": sheet.total, "query": query, "back": back}
        return render(request, "estates/excel/export_large.html", context)
    return _xlsx(export.sheet_write(sheet), name)


@console_view
@require_http_methods(["GET", "POST"])
def house_export(request):
    """The house list with the filters of its page (community, building, status, kind, q)."""
    return _registry_export(request, "houses")


@console_view
@require_http_methods(["GET", "POST"])
def owner_export(request):
    """The owner list with the filters of its page (community, q)."""
    return _registry_export(request, "owners")


@console_view
@require_http_methods(["GET", "POST"])
def building_export(request):
    """The building list of a community, or of all."""
    return _registry_export(request, "buildings")


@console_view
@require_http_methods(["GET", "POST"])
def parking_export(request):
    """The parking list with the filters of its page (community, status, kind, q)."""
    return _registry_export(request, "parking")
