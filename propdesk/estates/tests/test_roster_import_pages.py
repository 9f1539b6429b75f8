"""The roster import pages: template download, upload and preview, commit of the kept file."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from propdesk.estates import services
from propdesk.estates.excel.columns import COLUMNS, EXAMPLE_ROW
from propdesk.estates.models import House, Owner
from propdesk.estates.tests.test_roster_import import (
    good_rows,
    house_row,
    registry_counts,
    xlsx,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def supervisor_client(client, personas):
    client.force_login(personas["supervisor"])
    return client


def imports_dir(settings) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def kept_files(settings) -> list[str]:
    folder = imports_dir(settings)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def preview(client, community, uploaded):
    return client.post(reverse("roster_import"), {"community": community.id, "file": uploaded})


# --- who sees the pages --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_the_import_page_renders_for_supervisors_and_admins(client, personas, role):
    client.force_login(personas[role])

    response = client.get(reverse("roster_import"))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="upload-form"' in body
    assert reverse("roster_template") in body
    assert f'href="{reverse("roster_import")}"' in body  # the navigation line


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard", "other_agent"])
def test_the_import_pages_refuse_other_roles(client, personas, community_a, settings, role):
    client.force_login(personas[role])
    before = registry_counts()

    assert client.get(reverse("roster_import")).status_code == 403
    assert client.get(reverse("roster_template")).status_code == 403
    assert preview(client, community_a, xlsx(good_rows())).status_code == 403
    assert (
        f'href="{reverse("roster_import")}"'
        not in client.get(reverse("registry_search")).content.decode()
    )
    assert registry_counts() == before
    assert kept_files(settings) == []


def test_owners_and_anonymous_users_are_refused(client, personas, community_a, settings):
    before = registry_counts()
    response = preview(client, community_a, xlsx(good_rows()))
    assert response.status_code == 302 and reverse("login") in response["Location"]

    client.force_login(personas["owner"])
    assert client.get(reverse("roster_import")).status_code == 403
    assert preview(client, community_a, xlsx(good_rows())).status_code == 403
    assert registry_counts() == before
    assert kept_files(settings) == []


def test_a_supervisor_cannot_import_into_another_community(
    client, community_a, community_b, settings
):
    from propdesk.accounts.models import Role, User

    other = User.objects.create_user("supervisor_b", password="pw", role=Role.SUPERVISOR)
    other.communities.set([community_b])
    client.force_login(other)
    before = registry_counts()

    response = preview(client, community_a, xlsx(good_rows()))

    assert response.status_code == 400
    assert 'data-field-error="community"' in response.content.decode()
    assert registry_counts() == before
    assert kept_files(settings) == []


# --- the template --------------------------------------------------------------------------


def test_the_template_downloads_with_header_and_example(supervisor_client):
    response = supervisor_client.get(reverse("roster_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 1
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [column.title for column in COLUMNS]
    assert header[0] == "楼栋*\nbuilding"
    example = [cell.value for cell in sheet[2]]
    assert example[:3] == ["3", "2", "1502"]
    assert (
        example[COLUMNS.index(next(c for c in COLUMNS if c.key == "owner_id_number"))]
        == (EXAMPLE_ROW["owner_id_number"])
    )
    assert sheet.max_row == 2


def test_a_filled_in_template_imports(supervisor_client, community_a):
    template = supervisor_client.get(reverse("roster_template")).content
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    sheet.append(["8", "1", "101", 1, 90, "住宅", "空置"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = preview(
        supervisor_client, community_a, SimpleUploadedFile("花名册.xlsx", buffer.getvalue())
    )

    assert response.status_code == 200
    page = response.context
    assert page["preview"].ok and page["preview"].skipped_example
    assert [house.code for house in page["preview"].houses] == ["8-1-101"]


# --- preview and commit --------------------------------------------------------------------


def test_a_good_file_is_previewed_kept_and_committed(supervisor_client, community_a, settings):
    before = registry_counts()

    response = preview(supervisor_client, community_a, xlsx(good_rows()))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="preview-counts"' in body and 'data-testid="commit-form"' in body
    assert 'data-testid="bad-rows"' not in body
    assert response.context["preview"].counts["houses"] == 4
    assert registry_counts() == before  # the preview wrote nothing
    assert len(kept_files(settings)) == 1

    ticket = response.context["ticket"]
    response = supervisor_client.post(reverse("roster_import"), {"ticket": ticket})

    assert response.status_code == 302
    assert response["Location"].startswith("/registry/import/jobs/")
    assert House.objects.filter(community=community_a).count() == 4
    assert Owner.objects.filter(community=community_a).count() == 3
    assert kept_files(settings) == []
    job_page = supervisor_client.get(response["Location"])
    assert job_page.status_code == 200
    assert job_page.context["job"].status == "done"
    assert job_page.context["job"].counts["houses"] == 4
    assert 'data-status="done"' in job_page.content.decode()


def test_a_ticket_commits_once(supervisor_client, community_a):
    ticket = preview(supervisor_client, community_a, xlsx(good_rows())).context["ticket"]
    supervisor_client.post(reverse("roster_import"), {"ticket": ticket})
    before = registry_counts()

    response = supervisor_client.post(reverse("roster_import"), {"ticket": ticket})

    assert response.status_code == 302 and response["Location"] == reverse("roster_import")
    assert registry_counts() == before


def test_bad_rows_are_shown_and_no_commit_is_offered(supervisor_client, community_a, settings):
    rows = [house_row(), house_row(room="102", area_m2=-1), house_row(room="101")]
    before = registry_counts()

    response = preview(supervisor_client, community_a, xlsx(rows))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="bad-rows"' in body and 'data-testid="commit-form"' not in body
    assert "<td>3</td>" in body and "<td>4</td>" in body
    assert "建筑面积(m²) (area m²)" in body
    assert registry_counts() == before
    assert kept_files(settings) == []


def test_a_refused_file_is_named_on_the_file_field(supervisor_client, community_a, settings):
    response = preview(supervisor_client, community_a, SimpleUploadedFile("a.csv", b"a,b\n1,2\n"))

    assert response.status_code == 400
    assert 'data-field-error="file"' in response.content.decode()
    assert kept_files(settings) == []


def test_a_commit_refuses_rows_that_went_bad_since_the_preview(
    supervisor_client, community_a, admin, settings
):
    ticket = preview(supervisor_client, community_a, xlsx(good_rows())).context["ticket"]
    building = services.building_create(actor=admin, community=community_a, number="5")
    services.house_create(
        actor=admin, building=building, unit_number="1", number="102", floor=1, area_m2="80"
    )
    before = registry_counts()

    response = supervisor_client.post(reverse("roster_import"), {"ticket": ticket})
    response = supervisor_client.get(response["Location"])

    assert response.status_code == 200
    assert response.context["job"].status == "failed"
    body = response.content.decode()
    assert 'data-testid="commit-error"' in body and 'data-testid="bad-rows"' in body
    assert "5-1-102" in body
    assert registry_counts() == before
    assert kept_files(settings) == []


def test_a_forged_ticket_is_refused(supervisor_client, community_a, settings):
    ticket = preview(supervisor_client, community_a, xlsx(good_rows())).context["ticket"]
    before = registry_counts()

    response = supervisor_client.post(reverse("roster_import"), {"ticket": ticket[:-2] + "xx"})

    assert response.status_code == 302 and response["Location"] == reverse("roster_import")
    assert registry_counts() == before
    assert len(kept_files(settings)) == 1


def test_another_users_ticket_is_refused(client, personas, community_a):
    client.force_login(personas["supervisor"])
    ticket = preview(client, community_a, xlsx(good_rows())).context["ticket"]
    client.force_login(personas["admin"])
    before = registry_counts()

    response = client.post(reverse("roster_import"), {"ticket": ticket})

    assert response.status_code == 302
    assert registry_counts() == before


def test_an_expired_upload_is_refused(supervisor_client, community_a, settings):
    ticket = preview(supervisor_client, community_a, xlsx(good_rows())).context["ticket"]
    for path in imports_dir(settings).iterdir():
        path.unlink()

    response = supervisor_client.post(reverse("roster_import"), {"ticket": ticket}, follow=True)

    assert response.status_code == 200
    assert House.objects.count() == 0
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_scope_lost_after_the_preview_is_refused(supervisor_client, personas, community_a):
    ticket = preview(supervisor_client, community_a, xlsx(good_rows())).context["ticket"]
    personas["supervisor"].communities.clear()
    before = registry_counts()

    response = supervisor_client.post(reverse("roster_import"), {"ticket": ticket})

    assert response.status_code == 404
    assert registry_counts() == before


def test_an_oversized_file_is_refused_on_the_file_field(supervisor_client, community_a, settings):
    uploaded = xlsx(good_rows())
    settings.IMPORT_MAX_UPLOAD_BYTES = uploaded.size - 1
    before = registry_counts()

    response = preview(supervisor_client, community_a, uploaded)

    assert response.status_code == 400
    assert 'data-field-error="file"' in response.content.decode()
    assert registry_counts() == before
    assert kept_files(settings) == []


def test_uploads_never_committed_are_swept_after_a_day(supervisor_client, community_a, settings):
    folder = imports_dir(settings)
    folder.mkdir(parents=True)
    stale, fresh = folder / ("a" * 32 + ".xlsx"), folder / ("b" * 32 + ".xlsx")
    stale.write_bytes(b"old")
    fresh.write_bytes(b"new")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))

    preview(supervisor_client, community_a, xlsx(good_rows()))

    names = kept_files(settings)
    assert stale.name not in names and fresh.name in names and len(names) == 2


def test_a_job_page_is_only_for_the_user_who_started_it(client, personas, community_a):
    client.force_login(personas["supervisor"])
    ticket = preview(client, community_a, xlsx(good_rows())).context["ticket"]
    job_url = client.post(reverse("roster_import"), {"ticket": ticket})["Location"]
    client.force_login(personas["admin"])
    assert client.get(job_url).status_code == 404
    assert client.get(reverse("roster_import_job", args=["not-a-job"])).status_code == 404


def test_the_job_partial_is_served_to_htmx_polls(supervisor_client, community_a):
    ticket = preview(supervisor_client, community_a, xlsx(good_rows())).context["ticket"]
    job_url = supervisor_client.post(reverse("roster_import"), {"ticket": ticket})["Location"]
    response = supervisor_client.get(job_url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'data-status="done"' in body and "hx-trigger" not in body
