"""Settings for the test suite: the production settings with fast hashing and eager tasks."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from propdesk.settings import *  # noqa: E402,F403
from propdesk.settings import HUEY, STORAGES, VAR_DIR  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
OWNER_NOTICE_BATCH_SECONDS = 0  # eager tasks: the owners are told as the request commits
MEDIA_ROOT = VAR_DIR / "test-media"
LANGUAGE_CODE = "zh-hans"
PORTAL_PUBLIC_BASE_URL = "http://testserver"
PORTAL_PAYMENT_HTTP_TIMEOUT = 5
