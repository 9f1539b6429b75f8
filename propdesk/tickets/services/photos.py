"""Photos of a request: checked by what the bytes are, not by what the name or browser says
(decoded with Pillow within a pixel limit by core.images)."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from propdesk.core.errors import ValidationFailed
from propdesk.core.images import image_check
from propdesk.tickets import error_codes
from propdesk.tickets.models import RequestEvent, RequestPhoto, ServiceRequest

MAX_PHOTOS = 9
# How an image file starts: content type by its magic bytes.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def max_photo_bytes() -> int:
    return getattr(settings, "REQUEST_PHOTO_MAX_BYTES", 8 * 1024 * 1024)


def sniff_image(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def photos_check(uploads, *, field: str = "photos") -> list[tuple[object, str, str]]:
    """Check every upload before anything is written: (upload, content type, sha256) each."""
    uploads = [u for u in (uploads or []) if u is not None]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS},
            code=error_codes.TOO_MANY_PHOTOS,
            field=field,
        )
    checked = []
    limit = max_photo_bytes()
    for upload in uploads:
        size = getattr(upload, "size", 0) or 0
        if size == 0:
            raise ValidationFailed(
                _("The photo is empty."), code=error_codes.EMPTY_FILE, field=field
            )
        if size > limit:
            raise ValidationFailed(
                _("A photo may be at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
                code=error_codes.FILE_TOO_LARGE,
                field=field,
            )
        upload.seek(0)
        if sniff_image(upload.read(16)) is None:  # cheap refusal before decoding
            raise ValidationFailed(
                _("Upload a photo (JPEG, PNG, GIF or WebP)."),
                code=error_codes.NOT_AN_IMAGE,
                field=field,
            )
        content_type = image_check(upload, field=field).content_type
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append((upload, content_type, digest.hexdigest()))
    return checked


def photos_attach(
    *, request: ServiceRequest, event: RequestEvent | None, checked, actor, at
) -> list[RequestPhoto]:
    """Store checked photos; call last in a service, after every rule has passed."""
    photos = []
    for upload, content_type, sha256 in checked:
        name = str(getattr(upload, "name", "") or "photo").replace("\\", "/").split("/")[-1]
        photo = RequestPhoto(
            community_id=request.community_id,
            request=request,
            event=event,
            original_name=name[-200:] or "photo",
            content_type=content_type,
            size_bytes=upload.size,
            sha256=sha256,
            uploaded_by=actor,
            uploaded_at=at,
        )
        photo.file.save(name or "photo", upload, save=False)
        photo.save()
        photos.append(photo)
    return photos
