"""Console pages for the roster import and the Excel exports: thin views over this package."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from propdesk.core.errors import AppError, PermissionDenied
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, form_error
from propdesk.estates import selectors
from propdesk.estates.excel import export
from propdesk.estates.excel.jobs import job_load, job_start
from propdesk.estates.excel.pending import pending_load, pending_save
from propdesk.estates.excel.roster_import import roster_preview
from propdesk.estates.excel.template import TEMPLATE_FILENAME, roster_template
from propdesk.estates.models import Community, HouseKind, HouseStatus, ParkingKind, ParkingStatus

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


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _xlsx(output, stem: str) -> FileResponse:
    return FileResponse(
        output,
        as_attachment=True,
        filename=export.export_filename(stem),
        content_type=XLSX_TYPE,
    )


@console_view
def house_export(request):
    """The house list with the filters of its page (community, building, status, kind, q)."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    output = export.house_export(
        request.user,
        community_id=_int_or_none(request.GET.get("community")),
        building_id=_int_or_none(request.GET.get("building")),
        status=status if status in HouseStatus.values else "",
        kind=kind if kind in HouseKind.values else "",
        q=request.GET.get("q", "")[:40],
    )
    return _xlsx(output, "houses")


@console_view
def owner_export(request):
    """The owner list with the filters of its page (community, q)."""
    output = export.owner_export(
        request.user,
        community_id=_int_or_none(request.GET.get("community")),
        q=request.GET.get("q", "")[:40],
    )
    return _xlsx(output, "owners")


@console_view
def building_export(request):
    output = export.building_export(
        request.user, community_id=_int_or_none(request.GET.get("community"))
    )
    return _xlsx(output, "buildings")


@console_view
def parking_export(request):
    """The parking list with the filters of its page (community, status, kind, q)."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    output = export.parking_export(
        request.user,
        community_id=_int_or_none(request.GET.get("community")),
        status=status if status in ParkingStatus.values else "",
        kind=kind if kind in ParkingKind.values else "",
        q=request.GET.get("q", "")[:20],
    )
    return _xlsx(output, "parking")
