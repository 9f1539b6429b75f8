"""The follow-up (回访) by SMS: a link the owner answers on the portal (seed 002 二.4: 通过电话、
短信或上门等方式了解客户对处理结果的满意度).

The desk sends the link; the SMS goes through the outbox like every message. The link holds a
token signed with the site's key (django.core.signing, with its time stamp) naming a
`FollowUpLink` row and a random nonce of which only the hash is stored. It is answered once: the
row is locked and marked used in the same transaction as the rating, so a replayed or doubled
answer is refused; it expires after the community's `follow_up_link_hours`; and it is void once
the follow-up is recorded another way.
"""

import datetime
import hashlib
import secrets

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError, Conflict, NotFound, ValidationFailed
from propdesk.core.masking import mask_mobile
from propdesk.core.outbox import message_enqueue
from propdesk.tickets import clock, configuration, error_codes
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    EventAction,
    FollowUp,
    FollowUpLink,
    ServiceRequest,
    Status,
)
from propdesk.tickets.owner_text import in_owner_language, when
from propdesk.tickets.services._common import clean_note, event_record, lock_request
from propdesk.tickets.services.follow_up import (
    _begin,
    _clean_satisfaction,
    _pending,
    record_locked,
)
from propdesk.tickets.services.transitions import follow_up_begin_locked

SALT = "propdesk.tickets.follow_up_link"
# A signature older than this is refused whatever the row says (the longest a community may set).
MAX_AGE = datetime.timedelta(hours=65535)


class LinkExpired(AppError):
    status = 410


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _mobile_for(request: ServiceRequest) -> str:
    """The number the owner called from, else the house's primary owner's."""
    if request.caller_mobile:
        return request.caller_mobile
    if request.house_id:
        from propdesk.estates.models import Ownership

        mobile = (
            Ownership.objects.filter(house_id=request.house_id, end_on__isnull=True)
            .exclude(owner__mobile="")
            .order_by("-is_primary", "id")
            .values_list("owner__mobile", flat=True)
            .first()
        )
        if mobile:
            return mobile
    raise ValidationFailed(
        _("There is no mobile number to send the follow-up to; call or visit the owner."),
        code=error_codes.NO_MOBILE,
        field="mobile",
    )


def _sms_text(request: ServiceRequest, url: str, hours: int) -> str:
    return _(
        "%(community)s: your request %(number)s has been dealt with. Are you satisfied? Please "
        "answer here (valid for %(hours)d hours): %(url)s"
    ) % {"community": request.community.name, "number": request.number, "hours": hours, "url": url}


@transaction.atomic
def follow_up_link_send(*, actor, request: ServiceRequest, base_url: str) -> FollowUpLink:
    """Send the owner an SMS with a single-use link to rate the outcome on the portal."""
    request = _begin(actor, request, FollowUp.Via.SMS)
    mobile = _mobile_for(request)
    now = clock.now()
    hours = configuration.settings_for(request.community_id).follow_up_link_hours
    if request.status == Status.RESOLVED:
        follow_up_begin_locked(request, actor=actor, now=now)
    follow_up = _pending(request, now)
    nonce = secrets.token_urlsafe(12)
    link = FollowUpLink.objects.create(
        community_id=request.community_id,
        request=request,
        follow_up=follow_up,
        mobile=mobile,
        nonce_hash=_hash(nonce),
        sent_by=actor,
        sent_at=now,
        expires_at=now + datetime.timedelta(hours=hours),
    )
    token = signing.dumps([link.pk, nonce], salt=SALT)
    url = base_url.rstrip("/") + reverse("portal:follow_up_link", args=[token])
    body = in_owner_language(lambda r, _extra: _sms_text(r, url, hours), request, "")
    message_enqueue(
        channel="sms",
        recipient=mobile,
        recipient_user=None,
        event="request.follow_up_link",
        subject=_("Follow-up of %(number)s") % {"number": request.number},
        body=body,
        dedupe_key=f"request:{request.pk}:follow-up-link:{link.pk}",
        community_id=request.community_id,
    )
    event_record(
        request=request,
        actor=actor,
        action=EventAction.FOLLOW_UP_SENT,
        note=_("Sent to %(mobile)s; the link is valid until %(until)s.")
        % {
            "mobile": mask_mobile(mobile),
            "until": when(link.expires_at),
        },
        data={"link": link.pk, "round": follow_up.round},
        at=now,
    )
    return link


def _invalid() -> NotFound:
    return NotFound(
        _("This link is not valid. Please call the service centre."),
        code=error_codes.LINK_INVALID,
        field="token",
    )


def link_from_token(token: str, *, lock: bool = False) -> FollowUpLink:
    """The link a token names, if the signature and the nonce hold; checks nothing else."""
    if not isinstance(token, str) or len(token) > 300:
        raise _invalid()
    try:
        link_id, nonce = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise _invalid() from exc
    if not isinstance(link_id, int) or not isinstance(nonce, str):
        raise _invalid()
    rows = FollowUpLink.objects.select_related("request__community", "request__category")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(pk=link_id).first()
    if link is None or not secrets.compare_digest(link.nonce_hash, _hash(nonce)):
        raise _invalid()
    return link


def link_state(link: FollowUpLink) -> AppError | None:
    """Why the link cannot be answered now, or None when it can."""
    if link.used_at is not None:
        return Conflict(
            _("This follow-up has already been answered. Thank you."),
            code=error_codes.LINK_USED,
            field="token",
        )
    if clock.now() >= link.expires_at:
        return LinkExpired(
            _("This link has expired. Please call the service centre."),
            code=error_codes.LINK_EXPIRED,
            field="token",
        )
    follow_up = FollowUp.objects.filter(pk=link.follow_up_id).values_list("state", flat=True)
    request = ServiceRequest.objects.filter(pk=link.request_id).values_list("status", flat=True)
    if follow_up.first() != FollowUp.State.PENDING or request.first() not in AWAITING_FOLLOW_UP:
        return Conflict(
            _("This follow-up has already been recorded. Thank you."),
            code=error_codes.LINK_USED,
            field="token",
        )
    return None


@transaction.atomic
def follow_up_link_answer(*, token: str, satisfaction, comment: str = "") -> ServiceRequest:
    """The owner's answer through the link: recorded once, as the follow-up of that round."""
    link = link_from_token(token, lock=True)
    refusal = link_state(link)
    if refusal is not None:
        raise refusal
    score = _clean_satisfaction(satisfaction)
    comment = clean_note("comment", comment, max_length=1000)
    request = lock_request(link.request)
    now = clock.now()
    FollowUpLink.objects.filter(pk=link.pk).update(used_at=now)
    return record_locked(
        request, actor=_owner_account(link), score=score, comment=comment, via=FollowUp.Via.SMS
    )


def _owner_account(link: FollowUpLink):
    """The portal account of the owner the link went to, if they have one (the timeline names
    them); None otherwise."""
    from propdesk.estates.models import Ownership

    request = link.request
    if not request.house_id:
        return None
    ownership = (
        Ownership.objects.filter(
            house_id=request.house_id,
            end_on__isnull=True,
            owner__mobile=link.mobile,
            owner__user__isnull=False,
        )
        .select_related("owner__user")
        .first()
    )
    return ownership.owner.user if ownership else None
