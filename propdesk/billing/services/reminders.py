"""Arrears reminders (催缴) through the notification outbox (DOMAIN.md §3).

Editable templates per community; a reminder goes to the house's primary owner by SMS, WeChat or
in-app message, never during the do-not-disturb hours (it is scheduled for their end) and never
twice to one house within the policy's interval.
"""

import datetime
import string
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.models import Bill, ReminderLog, ReminderTemplate
from propdesk.billing.selectors.accounts import with_outstanding
from propdesk.billing.selectors.schedule import policy_for
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.money import amount_in_words, from_fen
from propdesk.core.outbox import message_enqueue
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Building, Community, House, Ownership
from propdesk.notices.quiet_hours import quiet_hours_end
from propdesk.notices.rendering import render_notification

PLACEHOLDERS = {"house", "owner", "amount", "amount_words", "oldest_period", "community"}
SAMPLE = {
    "house": "3-2-1502",
    "owner": "张三",
    "amount": "170.05",
    "amount_words": "壹佰柒拾元零伍分",
    "oldest_period": "2026-07",
    "community": "甲小区",
}


def _clean_body(body) -> str:
    body = clean_text("body", body, max_length=500, required=True)
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(body) if name}
    except ValueError as exc:
        raise ValidationFailed(
            _("Check the braces: write placeholders as {house}."), field="body"
        ) from exc
    unknown = fields - PLACEHOLDERS
    if unknown:
        raise ValidationFailed(
            _("Unknown placeholders: %(names)s. Use %(known)s.")
            % {
                "names": ", ".join(sorted(unknown)),
                "known": ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS)),
            },
            field="body",
        )
    try:
        body.format(**SAMPLE)
    except (IndexError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            _("Check the braces: write placeholders as {house}."), field="body"
        ) from exc
    return body


@transaction.atomic
def reminder_template_save(
    *,
    actor,
    community: Community,
    name: str,
    channel: str,
    body: str,
    active: bool = True,
    template: ReminderTemplate | None = None,
) -> ReminderTemplate:
    require(actor, Perm.BILLING_CONFIGURE, community.id)
    values = {
        "name": clean_text("name", name, max_length=60, required=True),
        "channel": clean_choice("channel", channel, ReminderTemplate.Channel),
        "body": _clean_body(body),
        "active": bool(active),
    }
    if template is None:
        template = ReminderTemplate.objects.create(community=community, updated_by=actor, **values)
        audit.record_change(actor=actor, instance=template, action="create")
        return template
    changes = audit.apply_changes(template, values)
    if changes:
        template.updated_by = actor
        template.updated_at = timezone.now()
        template.save(update_fields=[*changes, "updated_by", "updated_at"])
        audit.record_change(actor=actor, instance=template, action="update", changes=changes)
    return template


@dataclass
class ReminderResult:
    queued: int = 0
    scheduled: int = 0  # queued for the end of the do-not-disturb hours
    skipped_recent: int = 0
    skipped_no_contact: int = 0
    houses: int = 0


@transaction.atomic
def arrears_remind(
    *,
    actor,
    community: Community,
    template: ReminderTemplate,
    building: Building | None = None,
    house_ids: list[int] | None = None,
) -> ReminderResult:
    """Queue a reminder to each house with overdue bills in the community (or building)."""
    require(actor, Perm.PAYMENT_TAKE, community.id)
    if template.community_id != community.id or not template.active:
        raise ValidationFailed(_("Choose an active template of this community."), field="template")
    policy = policy_for(community.id)
    now = timezone.now()
    today = timezone.localdate()
    overdue = with_outstanding(
        Bill.objects.filter(community_id=community.id, due_on__lt=today)
    ).filter(outstanding_fen__gt=0)
    if building is not None:
        overdue = overdue.filter(house__building_id=building.id)
    if house_ids is not None:
        overdue = overdue.filter(house_id__in=house_ids)
    owed = {
        row["house_id"]: (int(row["total"]), row["oldest"])
        for row in overdue.values("house_id")
        .annotate(total=Sum("outstanding_fen"), oldest=Min("period"))
        .order_by()
    }
    since = now - datetime.timedelta(days=policy.reminder_interval_days)
    recent = set(
        ReminderLog.objects.filter(
            community_id=community.id, house_id__in=list(owed), created_at__gte=since
        ).values_list("house_id", flat=True)
    )
    owners = {}
    for ownership in (
        Ownership.objects.filter(house_id__in=list(owed), end_on__isnull=True)
        .select_related("owner", "owner__user")
        .order_by("-is_primary", "id")
    ):
        owners.setdefault(ownership.house_id, ownership.owner)
    send_at = quiet_hours_end(now, policy.quiet_hours_start, policy.quiet_hours_end)
    houses = House.objects.in_bulk(list(owed))
    result = ReminderResult(houses=len(owed))
    for house_id in sorted(owed):
        total, oldest = owed[house_id]
        if house_id in recent:
            result.skipped_recent += 1
            continue
        owner = owners.get(house_id)
        channel = template.channel
        if owner is None:
            result.skipped_no_contact += 1
            continue
        if channel == ReminderTemplate.Channel.IN_APP:
            recipient, recipient_user = owner.name, owner.user
            if recipient_user is None:
                result.skipped_no_contact += 1
                continue
        else:
            recipient, recipient_user = owner.mobile, owner.user
            if not recipient:
                result.skipped_no_contact += 1
                continue
        house = houses[house_id]
        amount = from_fen(total)
        body = template.body.format(
            house=house.code,
            owner=owner.name,
            amount=f"{amount:.2f}",
            amount_words=amount_in_words(amount),
            oldest_period=f"{oldest:%Y-%m}",
            community=community.name,
        )
        # The body is the reminder template the cashier chose; the subject (inbox title, email
        # subject) is the notices app's editable "bill.reminder" wording.
        subject = render_notification(
            "bill.reminder",
            {"community": community.name, "house": house.code, "owner": owner.name},
            community,
            channel=channel,
        ).subject
        message = message_enqueue(
            channel=channel,
            recipient=recipient,
            recipient_user=recipient_user,
            event="billing.arrears_reminder",
            subject=subject,
            body=body,
            dedupe_key=f"billing:arrears:{house_id}:{timezone.localdate().isoformat()}",
            community_id=community.id,
            send_at=send_at,
        )
        ReminderLog.objects.create(
            community=community,
            house=house,
            template=template,
            channel=channel,
            amount_fen=total,
            outbox_message_id=message.id,
            send_at=send_at or now,
            sent_by=actor,
        )
        if send_at:
            result.scheduled += 1
        else:
            result.queued += 1
    return result
