"""Keeping an uploaded roster between its preview and its commit.

The file is stored as imports/<random token>.xlsx in the default storage; the page carries only a
signed ticket naming the token, the user and the community, so another user, another community or
a forged token never reaches the file. Files are deleted after the commit, and any left over (a
preview never committed) are swept once they are older than a day.
"""

import datetime
import re
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.errors import ValidationFailed
from propdesk.estates import error_codes
from propdesk.estates.excel.upload import FIELD

DIRECTORY = "imports"
SALT = "propdesk.roster-import"
MAX_AGE = datetime.timedelta(days=1)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass
class PendingUpload:
    token: str
    community_id: int
    original_name: str

    @property
    def path(self) -> str:
        return f"{DIRECTORY}/{self.token}.xlsx"

    def open(self):
        upload = default_storage.open(self.path, "rb")
        upload.name = self.original_name  # what the checks and the messages see
        return upload

    def delete(self) -> None:
        default_storage.delete(self.path)


def pending_save(*, user, community_id: int, uploaded) -> str:
    """Store the upload; return the ticket the preview page posts back to commit it."""
    pending_sweep()
    token = secrets.token_urlsafe(24)
    uploaded.seek(0)
    saved = default_storage.save(f"{DIRECTORY}/{token}.xlsx", uploaded)
    if saved != f"{DIRECTORY}/{token}.xlsx":  # the storage renamed it: never guess, start over
        default_storage.delete(saved)
        raise ValidationFailed(_("The file could not be kept; upload it again."), field=FIELD)
    name = (getattr(uploaded, "name", "") or "roster.xlsx")[-200:]
    return signing.dumps({"t": token, "u": user.pk, "c": community_id, "n": name}, salt=SALT)


def pending_load(*, user, ticket: str) -> PendingUpload:
    """The upload a ticket names, if it was this user's and is still there."""
    expired = ValidationFailed(
        _("The uploaded file is no longer available; upload it again."),
        code=error_codes.UPLOAD_EXPIRED,
        field=FIELD,
    )
    try:
        data = signing.loads(ticket or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise expired from exc
    if not isinstance(data, dict) or data.get("u") != user.pk:
        raise expired
    token = str(data.get("t", ""))
    if not _TOKEN_RE.match(token) or not isinstance(data.get("c"), int):
        raise expired
    pending = PendingUpload(token=token, community_id=data["c"], original_name=str(data["n"]))
    if not default_storage.exists(pending.path):
        raise expired
    return pending


def pending_sweep() -> None:
    """Delete previews older than MAX_AGE that were never committed."""
    if not default_storage.exists(DIRECTORY):
        return
    cutoff = timezone.now() - MAX_AGE
    _dirs, files = default_storage.listdir(DIRECTORY)
    for name in files:
        path = f"{DIRECTORY}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue
