"""Quality reviews (质检), issue 16: a supervisor scores an agent's call, request or visit
against a weighted checklist; the agent acknowledges or appeals once; another supervisor decides
the appeal. The marks of a review never change: a correction is a new version."""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.quality import error_codes
from propdesk.quality.models import (
    Call,
    Review,
    ReviewForm,
    ReviewItem,
    ReviewMark,
    ReviewState,
    ReviewSubject,
)
from propdesk.quality.services._common import now

# The default checklist (004 six dimensions; 001 电话的礼仪; 000 二(1)): (text, points,
# dimension, source).
DEFAULT_ITEMS = [
    ("礼貌用语：“您好”“请”“谢谢”“对不起”脱口而出", 15, "attitude", "004"),
    ("语气热情、友善，微笑服务", 10, "attitude", "004"),
    ("耐心倾听，不打断业主", 15, "attitude", "004"),
    ("表达清晰、简洁，用语规范", 15, "communication", "004"),
    ("沟通技巧：先安抚情绪，再了解事实，后提出方案", 15, "communication", "004"),
    ("及时反馈处理进展", 10, "communication", "004"),
    ("3秒内接听，5秒内报公司名称（“您好，××物业”）", 10, "efficiency", "000 二(1) / 001"),
    ("按流程登记、派单、跟进", 10, "efficiency", "004"),
]
DEFAULT_FORM_NAME = "客服通话质检表"
MAX_NOTE = 1000


@transaction.atomic
def review_form_default() -> ReviewForm:
    """The company's review form, created with the default checklist when missing."""
    form = ReviewForm.objects.filter(community__isnull=True, is_active=True).order_by("id").first()
    if form is not None:
        return form
    form = ReviewForm.objects.create(name=DEFAULT_FORM_NAME)
    ReviewItem.objects.bulk_create(
        ReviewItem(form=form, order=i, text=t, points=p, dimension=d, source=s)
        for i, (t, p, d, s) in enumerate(DEFAULT_ITEMS, start=1)
    )
    return form


def _clean_marks(form: ReviewForm, marks: dict) -> list[tuple[ReviewItem, int, str]]:
    """{item id: (points deducted, note)} for every item of the form (missing: 0)."""
    if not isinstance(marks, dict):
        raise ValidationFailed(
            _("Send the marks as an object."), code=error_codes.BAD_MARKS, field="marks"
        )
    items = list(form.items.all())
    by_id = {str(item.pk): item for item in items}
    unknown = [key for key in marks if str(key) not in by_id]
    if unknown:
        raise ValidationFailed(
            _("This item is not on the form."),
            code=error_codes.NOT_ON_FORM,
            field=f"item{unknown[0]}",
        )
    cleaned = []
    for item in items:
        value = marks.get(item.pk, marks.get(str(item.pk), (0, "")))
        if isinstance(value, list | tuple):
            deducted, note = (list(value) + [""])[:2]
        else:
            deducted, note = value, ""
        field = f"item{item.pk}"
        if isinstance(deducted, str) and deducted.isdigit():
            deducted = int(deducted)
        if isinstance(deducted, bool) or not isinstance(deducted, int):
            raise ValidationFailed(
                _("Enter a whole number of points."), code=error_codes.BAD_POINTS, field=field
            )
        if not 0 <= deducted <= item.points:
            raise ValidationFailed(
                _("Deduct between 0 and %(n)d points.") % {"n": item.points},
                code=error_codes.BAD_POINTS,
                field=field,
            )
        note = clean_text(field, note, max_length=300)
        cleaned.append((item, deducted, note))
    return cleaned


def _subject(community_id, call, request, visit_note) -> tuple[str, str]:
    given = [x for x in (call, request) if x is not None] + ([visit_note] if visit_note else [])
    if len(given) != 1:
        raise ValidationFailed(
            _("Review one call, one request or one visit."),
            code=error_codes.ONE_SUBJECT,
            field="subject",
        )
    for name, record in (("call", call), ("request", request)):
        if record is not None and record.community_id != community_id:
            raise ValidationFailed(
                _("This belongs to another community."),
                code=error_codes.OTHER_COMMUNITY,
                field=name,
            )
    if call is not None:
        return ReviewSubject.CALL, ""
    if request is not None:
        return ReviewSubject.REQUEST, ""
    return ReviewSubject.VISIT, clean_text("visit_note", visit_note, max_length=200, required=True)


@transaction.atomic
def review_create(
    *,
    actor,
    agent,
    marks: dict,
    call: Call | None = None,
    request=None,
    visit_note: str = "",
    note: str = "",
    form: ReviewForm | None = None,
    supersedes: Review | None = None,
    community=None,
) -> Review:
    """Score one piece of an agent's work (or correct an earlier review with a new version)."""
    form = form or review_form_default()
    if supersedes is not None:
        community_id = supersedes.community_id
    elif call is not None or request is not None:
        community_id = (call or request).community_id
    else:  # a visit names its community
        community_id = getattr(community, "pk", None)
    if community_id is None:
        raise ValidationFailed(
            _("Review one call, one request or one visit."),
            code=error_codes.ONE_SUBJECT,
            field="subject",
        )
    require(actor, Perm.REVIEW_WRITE, community_id)
    if (
        agent is None
        or community_id not in community_ids(agent)
        or not has_perm(agent, Perm.REVIEW_VIEW)
    ):
        raise ValidationFailed(
            _("This agent does not work in this community."),
            code=error_codes.OTHER_COMMUNITY,
            field="agent",
        )
    if agent.pk == actor.pk:
        raise PermissionDenied(_("Nobody reviews their own work."), code=error_codes.OWN_WORK)
    if supersedes is not None:
        supersedes = Review.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.state == ReviewState.SUPERSEDED:
            raise Conflict(
                _("A later version already corrects this review."), code=error_codes.SUPERSEDED
            )
        call, request = supersedes.call, supersedes.request
        visit_note = visit_note or supersedes.visit_note
        agent = supersedes.agent
    subject, visit_note = _subject(community_id, call, request, visit_note)
    cleaned = _clean_marks(form, marks)
    note = clean_text("note", note, max_length=MAX_NOTE)
    possible = sum(item.points for item, _d, _n in cleaned)
    deducted = sum(d for _i, d, _n in cleaned)
    score = (
        (Decimal(possible - deducted) * 100 / Decimal(possible)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
        if possible
        else Decimal(0)
    )
    review = Review.objects.create(
        community_id=community_id,
        agent=agent,
        reviewer=actor,
        form=form,
        subject=subject,
        call=call,
        request=request,
        visit_note=visit_note,
        version=(supersedes.version + 1) if supersedes else 1,
        supersedes=supersedes,
        points_possible=possible,
        points_deducted=deducted,
        score=score,
        note=note,
        created_at=now(),
    )
    ReviewMark.objects.bulk_create(
        ReviewMark(review=review, item=item, deducted=d, note=n) for item, d, n in cleaned
    )
    if supersedes is not None:
        Review.objects.filter(pk=supersedes.pk).update(state=ReviewState.SUPERSEDED)
    audit.record_change(actor=actor, instance=review, action="create", object_repr=str(review))
    return review


def _lock_own(actor, review: Review) -> Review:
    require(actor, Perm.REVIEW_VIEW, review.community_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.agent_id != actor.pk:
        raise PermissionDenied(
            _("Only the agent reviewed answers a review."), code=error_codes.NOT_YOUR_REVIEW
        )
    if review.state != ReviewState.PUBLISHED:
        raise Conflict(
            _("This review has already been answered."), code=error_codes.REVIEW_ANSWERED
        )
    return review


@transaction.atomic
def review_acknowledge(*, actor, review: Review) -> Review:
    review = _lock_own(actor, review)
    review.state = ReviewState.ACKNOWLEDGED
    review.acknowledged_at = now()
    review.save(update_fields=["state", "acknowledged_at"])
    audit.record_change(
        actor=actor,
        instance=review,
        action="update",
        changes={"state": [ReviewState.PUBLISHED, review.state]},
        object_repr=str(review),
    )
    return review


@transaction.atomic
def review_appeal(*, actor, review: Review, reason: str) -> Review:
    """The agent appeals once, with a reason."""
    review = _lock_own(actor, review)
    reason = clean_text("reason", reason, max_length=MAX_NOTE, required=True)
    review.state = ReviewState.APPEALED
    review.appeal_reason = reason
    review.appealed_at = now()
    review.save(update_fields=["state", "appeal_reason", "appealed_at"])
    audit.record_change(
        actor=actor,
        instance=review,
        action="update",
        changes={"state": [ReviewState.PUBLISHED, review.state]},
        note=reason,
        object_repr=str(review),
    )
    return review


@transaction.atomic
def review_decide(*, actor, review: Review, granted: bool, note: str) -> Review:
    """Another supervisor (not the reviewer) decides the appeal. A granted appeal takes the
    review out of the scores; the supervisor may then record a corrected version."""
    require(actor, Perm.REVIEW_WRITE, review.community_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != ReviewState.APPEALED:
        raise Conflict(_("This review has no appeal to decide."), code=error_codes.NO_APPEAL)
    if actor.pk in (review.reviewer_id, review.agent_id):
        raise PermissionDenied(
            _("Another supervisor decides the appeal."), code=error_codes.SAME_SUPERVISOR
        )
    review.decision_note = clean_text("note", note, max_length=MAX_NOTE, required=True)
    review.state = ReviewState.OVERTURNED if granted else ReviewState.UPHELD
    review.decided_by = actor
    review.decided_at = now()
    review.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
    audit.record_change(
        actor=actor,
        instance=review,
        action="update",
        changes={"state": [ReviewState.APPEALED, review.state]},
        note=review.decision_note,
        object_repr=str(review),
    )
    return review


def review_sample(*, community_id: int, year: int, month: int, per_agent: int = 2) -> list[Call]:
    """A random sample of each agent's answered calls of the month not reviewed yet; the same
    month gives the same sample, so the list does not change between visits."""
    import datetime

    from django.utils import timezone

    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    calls = list(
        Call.objects.filter(
            community_id=community_id,
            ring_at__gte=start,
            ring_at__lt=end,
            answered_at__isnull=False,
            agent__isnull=False,
            reviews__isnull=True,
        )
        .select_related("agent")
        .order_by("id")
    )
    by_agent: dict[int, list[Call]] = {}
    for call in calls:
        by_agent.setdefault(call.agent_id, []).append(call)
    chooser = random.Random(f"{community_id}-{year}-{month}")  # noqa: S311 (a fair sample, not a secret)
    sample = []
    for agent_id in sorted(by_agent):
        group = by_agent[agent_id]
        sample += chooser.sample(group, min(per_agent, len(group)))
    return sorted(sample, key=lambda c: (c.agent_id, c.ring_at))
