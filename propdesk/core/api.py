"""Exports over the API: ask for a file, follow its progress, fetch it when it is ready."""

import datetime

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, error_responses
from propdesk.core import exports

router = Router(tags=["exports"])


class ExportIn(Schema):
    kind: str = Field(
        ...,
        max_length=60,
        pattern=r"^[a-z0-9_.]+$",
        description=(
            "What to export: `requests.month` (a month of requests and the dashboard's figures), "
            "`registry.houses`, `registry.owners`, `registry.buildings` or `registry.parking` "
            "(a registry list)"
        ),
    )
    params: dict = Field(
        default_factory=dict,
        description=(
            "The export's parameters. `requests.month`: `month` (YYYY-MM, required) and "
            "`community`. The registry lists take their pages' filters: `community`; houses "
            "also `building`, `status`, `kind`, `q`; owners `q`; parking `status`, `kind`, `q`"
        ),
    )


class ExportOut(Schema):
    id: int
    kind: str
    title: str
    status: str = Field(..., description="queued, running, done or failed")
    done: int = Field(..., description="Rows written so far")
    total: int | None = Field(None, description="Rows in all, once known")
    percent: int
    filename: str
    size: int | None
    error: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    file_url: str | None = Field(None, description="Where to fetch the file once it is done")

    @staticmethod
    def resolve_file_url(obj) -> str | None:
        if obj.status != exports.Status.DONE:
            return None
        return reverse("api:export_file", args=[obj.id])


@router.post(
    "",
    response={202: ExportOut, **WRITE_ERRORS},
    summary="Ask for an export; the worker writes it (follow `GET /exports/{id}`)",
)
def export_create(request, payload: ExportIn):
    job = exports.export_start(actor=request.auth, kind=payload.kind, params=payload.params)
    job.refresh_from_db()
    return Status(202, job)


@router.get("", response={200: list[ExportOut], **READ_ERRORS}, summary="My exports of the week")
def export_list(request):
    return exports.exports_of(request.auth)


@router.get("/{job_id}", response={200: ExportOut, **READ_ERRORS}, summary="One of my exports")
def export_detail(request, job_id: PathId):
    return exports.export_for_user(request.auth, job_id)


@router.get(
    "/{job_id}/file",
    response={**READ_ERRORS, **error_responses(409)},
    url_name="export_file",
    summary="The file of a finished export",
)
def export_file(request, job_id: PathId):
    handle, filename = exports.export_open(request.auth, job_id)
    return FileResponse(handle, as_attachment=True, filename=filename)
