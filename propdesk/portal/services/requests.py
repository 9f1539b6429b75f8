"""An owner's requests from the phone: file, follow, add a note or photo, cancel, rate.

Everything is done by the request services (tickets.services) with the portal channel, so the
same numbering, routing, time limits, timeline and messages hold as for a call to the desk. The
portal only checks the account's house right first and shrinks photos before they are stored.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.estates import owner_access
from propdesk.portal import access, error_codes
from propdesk.tickets.models import Answer, Channel, FollowUp, RequestSolution, ServiceRequest
from propdesk.tickets.services import complaints, follow_up, intake, transitions, work
from propdesk.tickets.services.photos import MAX_PHOTOS, max_photo_bytes, photos_check

MAX_EDGE_PX = 1600


def photos_shrink(uploads) -> list[SimpleUploadedFile]:
    """Check each upload is an image by its bytes, then store it as a JPEG at most 1600 px on
    its longer side (phones send 4000 px photos; the desk needs to see the leak, not the pores).
    """
    uploads = [u for u in (uploads or []) if u is not None]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS},
            code=error_codes.TOO_MANY_PHOTOS,
            field="photos",
        )
    # size and count, and each decoded within the pixel limit (core.images), with the request
    # services' messages
    photos_check(uploads)
    shrunk = []
    for index, upload in enumerate(uploads, start=1):
        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
                image.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX))
                out = io.BytesIO()
                image.save(out, format="JPEG", quality=85, optimize=True)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ValidationFailed(
                _("Upload a photo (JPEG, PNG, GIF or WebP)."),
                code=error_codes.NOT_AN_IMAGE,
                field="photos",
            ) from exc
        data = out.getvalue()
        if len(data) > max_photo_bytes():
            raise ValidationFailed(
                _("The photo is too large."), code=error_codes.FILE_TOO_LARGE, field="photos"
            )
        shrunk.append(SimpleUploadedFile(f"photo-{index}.jpg", data, content_type="image/jpeg"))
    return shrunk


def request_submit(
    *,
    actor,
    house_id,
    kind: str,
    category: str,
    description: str,
    emergency: bool = False,
    preferred_visit_at=None,
    photos=(),
) -> ServiceRequest:
    """File a request for one of the account's houses through the portal channel."""
    right = access.right_for(actor, house_id)
    shrunk = photos_shrink(photos)
    return intake.request_create(
        actor=actor,
        kind=kind,
        category=category,
        urgency="emergency" if emergency else "normal",
        description=description,
        channel=Channel.PORTAL,
        house=right.house,
        caller_name=_caller_name(actor, right.house.pk),
        caller_mobile=actor.mobile or "",
        preferred_visit_at=preferred_visit_at,
        photos=shrunk,
    )


def _caller_name(actor, house_id: int) -> str:
    right = owner_access.right_on(actor, house_id)
    return right.person_name if right else ""


def request_note(*, actor, request_id, text: str = "", photos=()):
    request = access.request_to_act_on(actor, request_id)
    return work.owner_note_add(
        actor=actor, request=request, text=text, photos=photos_shrink(photos)
    )


def request_withdraw(*, actor, request_id, reason: str) -> ServiceRequest:
    request = access.request_to_act_on(actor, request_id)
    return transitions.request_cancel(actor=actor, request=request, reason=reason, via="portal")


def request_rate(*, actor, request_id, satisfaction, comment: str = "") -> ServiceRequest:
    """Rate 1–5 after resolution; a low score reopens the request (at most as often as the
    request rules allow), a good one closes it."""
    request = access.request_to_act_on(actor, request_id)
    return follow_up.follow_up_record(
        actor=actor,
        request=request,
        satisfaction=satisfaction,
        comment=comment,
        via=FollowUp.Via.PORTAL,
    )


def solution_answer(*, actor, request_id, solution_id, agreed: bool, note: str = ""):
    """The owner's agreement to the solution proposed for their complaint (or not)."""
    request = access.request_to_act_on(actor, request_id)
    solution = RequestSolution.objects.filter(request=request, pk=solution_id).first()
    if solution is None:
        raise NotFound(field="solution")
    return complaints.solution_decide(
        actor=actor, solution=solution, agreed=agreed, via=Answer.PORTAL, note=note
    )
