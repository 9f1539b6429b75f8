"""Registry lists too long to write while the user waits go to the worker: the page offers it, the
same filters and scope apply, and the API asks for the same exports with the same checks."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from propdesk.core.models import ExportJob
from propdesk.estates.excel import export_jobs


@pytest.fixture
def short_pages(monkeypatch):
    """Any list longer than one row is "long"."""
    monkeypatch.setattr(export_jobs, "SYNC_ROWS", 1)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_a_long_list_is_offered_to_the_worker(personas, registry, short_pages, community_a):
    client = client_for(personas["agent"])
    query = {"community": community_a.id, "status": "", "q": "3-2"}
    response = client.get(reverse("house_export"), query)
    assert response.status_code == 200
    assert response.context["total"] == 2
    body = response.content.decode()
    assert 'data-testid="export-large"' in body
    assert f'name="community" value="{community_a.id}"' in body and 'name="q" value="3-2"' in body
    assert 'name="status"' not in body  # empty filters are left out
    assert not ExportJob.objects.exists()


def test_the_worker_writes_the_long_list_with_the_same_filters(
    personas, registry, short_pages, community_a, django_capture_on_commit_callbacks
):
    client = client_for(personas["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("house_export"), {"community": community_a.id, "q": "3-2"})
    job = ExportJob.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("export_detail", args=[job.id])
    assert job.kind == "registry.houses" and job.status == ExportJob.Status.DONE
    assert job.title == "房屋（甲小区）"
    assert job.params == {
        "community": community_a.id,
        "building": None,
        "status": "",
        "kind": "",
        "q": "3-2",
    }
    assert (job.done, job.total) == (2, 2)
    rows = _rows(client.get(reverse("export_download", args=[job.id])))
    assert [row[0] for row in rows[1:]] == ["3-2-1502", "3-2-1601"]
    assert "138****5678" in [row[11] for row in rows[1:]]  # the owner's mobile, masked


@pytest.mark.parametrize("name", ["owner_export", "building_export", "parking_export"])
def test_every_registry_list_can_go_to_the_worker(
    personas, registry, name, django_capture_on_commit_callbacks
):
    client = client_for(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse(name))
    assert asked.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.title.endswith("（全部小区）")


def test_a_bad_filter_queues_nothing(personas, registry):
    response = client_for(personas["agent"]).post(reverse("house_export"), {"status": "gone"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("house_list"))
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("role", ["technician", "guard", "owner"])
def test_roles_without_the_export_right_queue_nothing(personas, registry, role):
    assert client_for(personas[role]).post(reverse("house_export")).status_code == 403
    assert not ExportJob.objects.exists()


def test_another_communitys_list_is_refused(personas, registry, community_a):
    response = client_for(personas["other_agent"]).post(
        reverse("house_export"), {"community": community_a.id}
    )
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_other_methods_are_refused(personas):
    assert client_for(personas["agent"]).put(reverse("house_export")).status_code == 405


# --- the same exports over the API ------------------------------------------------------------


def _api_post(user, body) -> tuple[int, dict]:
    response = client_for(user).post(
        "/api/exports/", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def test_the_api_asks_for_a_registry_export(personas, registry, community_a):
    status, body = _api_post(
        personas["agent"],
        {"kind": "registry.parking", "params": {"community": community_a.id, "kind": "shared"}},
    )
    assert status == 202, body
    assert body["kind"] == "registry.parking" and body["title"] == "车位（甲小区）"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"status": "gone"}, 400, "status"),
        ({"kind": ["residential"]}, 400, "kind"),
        ({"community": "1; DROP TABLE"}, 400, "community"),
        ({"community": True}, 400, "community"),
        ({"building": 10**40}, 400, "building"),
        ({"q": "x" * 41}, 400, "q"),
        ({"q": 5}, 400, "q"),
        ({"q": "a\x00b"}, 400, "params.q"),  # the JSON body's NUL guard names the path
    ],
)
def test_the_api_refuses_bad_filters_naming_them(personas, registry, params, status, field):
    code, body = _api_post(personas["agent"], {"kind": "registry.houses", "params": params})
    assert (code, body["field"]) == (status, field), body
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("agent", 202), ("cashier", 202), ("technician", 403), ("guard", 403), ("owner", 403)],
)
def test_the_api_keeps_to_the_export_right(personas, registry, role, status):
    code, _body = _api_post(personas[role], {"kind": "registry.owners", "params": {}})
    assert code == status
    assert ExportJob.objects.count() == (1 if status == 202 else 0)


def test_the_api_refuses_another_communitys_building(personas, registry):
    building = registry["occupied"].building_id
    code, _body = _api_post(
        personas["other_agent"], {"kind": "registry.houses", "params": {"building": building}}
    )
    assert code == 404
    assert not ExportJob.objects.exists()
