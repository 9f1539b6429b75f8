"""Production hardening: a Content-Security-Policy on every response with no inline scripts,
handlers or styles in any template; vendored files whose source maps exist (collectstatic's
manifest refuses a missing one); the API docs from the site's own files, staff only in
production; uploaded and generated files through the storage API only."""

import re
import runpy
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
PROPDESK = ROOT / "propdesk"
TEMPLATE_DIRS = [PROPDESK / "templates", *PROPDESK.glob("*/templates")]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from sorted(directory.rglob("*.html"))


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "an inline <script>"),
        (HANDLER, "an inline event handler (on…=)"),
        (STYLE_ATTRIBUTE, "a style attribute"),
        (STYLE_ELEMENT, "a <style> element"),
    ],
)
def test_no_template_has_inline_code_or_styles(pattern, what):
    found = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in _templates()
        for text in [path.read_text()]
        for match in pattern.finditer(text)
    ]
    assert not found, f"{what} breaks under the Content-Security-Policy: {found}"


def test_vendored_files_name_only_source_maps_that_exist():
    vendor = PROPDESK / "static" / "vendor"
    files = sorted(vendor.iterdir())
    assert files, "run make setup to vendor the front-end files"
    named = [
        (path.name, name)
        for path in files
        if path.suffix in {".js", ".css"}
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore"))
    ]
    assert named, "Bootstrap's files name their source maps"
    assert [pair for pair in named if not (vendor / pair[1]).exists()] == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/m/login/", "/healthz", "/api/communities"])
def test_every_response_carries_a_strict_content_security_policy(url):
    policy = Client().get(url)["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_the_api_docs_are_staff_only_in_production(settings, personas):
    settings.API_DOCS_PUBLIC = False
    for url in ("/api/docs", "/api/openapi.json"):
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(
            "/accounts/login/?next="
        )
        owner = Client()
        owner.force_login(personas["owner"])
        assert owner.get(url).status_code == 403
        staff = Client()
        staff.force_login(personas["agent"])
        assert staff.get(url).status_code == 200


@pytest.mark.django_db
def test_the_api_docs_load_swagger_ui_from_the_sites_own_static_files(settings, personas):
    settings.API_DOCS_PUBLIC = False
    client = Client()
    client.force_login(personas["supervisor"])
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/ninja/swagger-ui.css" in page
    assert "cdn." not in page and "unpkg" not in page
    assert not INLINE_SCRIPT.search(page)


def test_development_keeps_the_api_docs_public():
    import propdesk.settings as production

    assert production.API_DOCS_PUBLIC is production.DEBUG


# --- files through the storage API ------------------------------------------------------------

# Local file access an object store cannot serve: the media directory, a file field's local
# path, the builtin open() and file-system calls. (A model's `path` holding a storage name is
# fine; so is the system font the PDFs embed.)
LOCAL_FILE_ACCESS = re.compile(
    r"MEDIA_ROOT|MEDIA_URL|FileSystemStorage|\b(?:file|scan|photo|plan)\.path\b"
    r"|\bshutil\.|(?<![.\w])(?<!def )open\(|\bos\.(?:remove|unlink|makedirs|listdir|rename)\("
)


def test_the_code_reaches_files_through_the_storage_api_only():
    offenders = []
    for path in sorted(PROPDESK.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if (
            "/tests/" in relative
            or "/migrations/" in relative
            or "/management/commands/" in relative  # files the operator names on the command line
            or relative.endswith(("settings.py", "settings_test.py", "conftest.py"))
        ):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if LOCAL_FILE_ACCESS.search(code):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, offenders


def _settings_with(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PROPDESK / "settings.py"))


def test_s3_compatible_storage_is_configured_by_the_environment(monkeypatch, tmp_path):
    values = _settings_with(
        monkeypatch,
        DEBUG="1",
        PROPDESK_VAR_DIR=str(tmp_path),
        STORAGE_BACKEND="s3",
        S3_BUCKET="propdesk-files",
        S3_ENDPOINT_URL="https://oss-cn-shenzhen.aliyuncs.com",
        S3_REGION="cn-shenzhen",
        S3_ACCESS_KEY_ID="AKID",
        S3_SECRET_ACCESS_KEY="secret",
        S3_PREFIX="media",
        S3_ADDRESSING_STYLE="virtual",
    )
    default = values["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"] == {
        "bucket_name": "propdesk-files",
        "endpoint_url": "https://oss-cn-shenzhen.aliyuncs.com",
        "region_name": "cn-shenzhen",
        "access_key": "AKID",
        "secret_key": "secret",
        "location": "media",
        "addressing_style": "virtual",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**default["OPTIONS"])
    assert (storage.bucket_name, storage.location, storage.file_overwrite) == (
        "propdesk-files",
        "media",
        False,
    )


def test_s3_storage_without_a_bucket_is_refused(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    base = {"DEBUG": "1", "PROPDESK_VAR_DIR": str(tmp_path)}
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        _settings_with(monkeypatch, **base, STORAGE_BACKEND="s3")
    with pytest.raises(ImproperlyConfigured, match="STORAGE_BACKEND"):
        _settings_with(monkeypatch, **base, STORAGE_BACKEND="nfs")


@pytest.mark.django_db
def test_uploads_and_exports_live_in_whatever_storage_is_configured(
    settings, tmp_path, monkeypatch, admin, community_a, house_a
):
    """With an in-memory storage nothing is written under MEDIA_ROOT, and the files read back."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from propdesk.core import exports
    from propdesk.estates.services.documents import document_upload

    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    document = document_upload(
        actor=admin,
        community=community_a,
        doc_type="power_of_attorney",
        uploaded=SimpleUploadedFile("poa.pdf", b"%PDF-1.4\n%scan\n", "application/pdf"),
        house=house_a,
    )
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(document.file.name)
    with document.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4\n%scan\n"
    monkeypatch.setattr(
        exports,
        "EXPORTERS",
        {
            "test.sheet": exports.Exporter(
                "test.sheet",
                lambda actor, params: ({}, "sheet"),
                lambda actor, params, progress: ("sheet.csv", b"a,b\n1,2\n"),
            )
        },
    )
    job = exports.export_start(actor=admin, kind="test.sheet", params={})
    exports.export_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert default_storage.exists(job.path)
    handle, name = exports.export_open(admin, job.pk)
    assert (handle.read(), name) == (b"a,b\n1,2\n", "sheet.csv")
    assert not (tmp_path / "must-stay-empty").exists()
