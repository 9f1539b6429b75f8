"""The exports API, with the request dashboard's month export: who may ask, what comes back, and
every bad body refused with the field named and nothing queued."""

import io

import openpyxl
import pytest

from propdesk.api.tests.helpers import ROLES, ApiCaller
from propdesk.core.exports import export_run
from propdesk.core.models import ExportJob

URL = "/api/exports/"
MONTH = {"kind": "requests.month", "params": {"month": "2026-03"}}
ASK_OUTCOMES = {
    "agent": 403,
    "supervisor": 202,
    "technician": 403,
    "cashier": 403,
    "guard": 403,
    "admin": 202,
    "owner": 403,
    "other_agent": 403,
    "anonymous": 401,
}


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_ask_for_the_month_of_requests(api, role):
    response = api.post(role, URL, MONTH)
    assert response.status_code == ASK_OUTCOMES[role], response.content
    if response.status_code == 202:
        body = response.json()
        assert body["kind"] == "requests.month" and body["status"] == "queued"
        assert body["file_url"] is None
        assert ExportJob.objects.get().created_by.username == role
    else:
        assert response.json()["code"]
        assert not ExportJob.objects.exists()


def test_the_file_is_fetched_once_written(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post("supervisor", URL, MONTH).json()
    detail = api.get("supervisor", f"{URL}{asked['id']}")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["status"], body["percent"], body["filename"]) == (
        "done",
        100,
        "requests-2026-03.xlsx",
    )
    assert body["file_url"] == f"{URL}{asked['id']}/file"
    response = api.get("supervisor", body["file_url"])
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [sheet.title for sheet in book.worksheets] == ["汇总", "工单"]
    listing = api.get("supervisor", URL).json()
    assert [row["id"] for row in listing] == [asked["id"]]
    assert api.get("admin", URL).json() == []


def test_a_file_not_ready_is_a_conflict_and_anothers_is_not_found(api, personas):
    asked = api.post("supervisor", URL, MONTH).json()
    response = api.get("supervisor", f"{URL}{asked['id']}/file")
    assert response.status_code == 409 and response.json()["code"] == "export_not_ready"
    export_run(asked["id"])
    for path in (f"{URL}{asked['id']}", f"{URL}{asked['id']}/file"):
        assert api.get("admin", path).status_code == 404
        assert api.get("anonymous", path).status_code == 401
    assert api.get("supervisor", f"{URL}0").status_code == 422
    assert api.get("supervisor", f"{URL}{2**63}").status_code == 422


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"params": {"month": "2026-03"}}, 422, "kind"),
        ({"kind": "", "params": {}}, 422, "kind"),
        ({"kind": "requests.month<script>", "params": {}}, 422, "kind"),
        ({"kind": "x" * 61, "params": {}}, 422, "kind"),
        ({"kind": 5, "params": {}}, 422, "kind"),
        ({"kind": "requests.month", "params": ["2026-03"]}, 422, "params"),
        ({"kind": "no.such.export", "params": {}}, 400, "kind"),
        ({"kind": "requests.month", "params": {}}, 400, "month"),
        ({"kind": "requests.month", "params": {"month": "2026-3"}}, 400, "month"),
        ({"kind": "requests.month", "params": {"month": "1899-01"}}, 400, "month"),
        ({"kind": "requests.month", "params": {"month": ["2026-03"]}}, 400, "month"),
        (
            {"kind": "requests.month", "params": {"month": "2026-03", "community": "1 OR 1=1"}},
            400,
            "community",
        ),
        (
            {"kind": "requests.month", "params": {"month": "2026-03", "community": 10**30}},
            400,
            "community",
        ),
        (
            {"kind": "requests.month", "params": {"month": "2026-03", "community": True}},
            400,
            "community",
        ),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(api, body, status, field):
    response = api.post("supervisor", URL, body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert not ExportJob.objects.exists()


def test_another_communitys_month_is_not_found(api, community_b):
    body = {"kind": "requests.month", "params": {"month": "2026-03", "community": community_b.id}}
    response = api.post("supervisor", URL, body)
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_one_community_of_ones_own(api, community_a):
    body = {"kind": "requests.month", "params": {"month": "2026-03", "community": community_a.id}}
    response = api.post("supervisor", URL, body)
    assert response.status_code == 202
    assert response.json()["title"] == "2026-03 工单（甲小区）"
