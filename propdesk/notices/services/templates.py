"""Editing notification templates (administrators, Perm.NOTICE_TEMPLATES), with a preview.

DOMAIN.md §6 and §2: what owners are told is the company's wording, editable without a release.
A template may use only its event's variables (`notices.events`); see `notices.rendering`.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.notices.events import EVENTS
from propdesk.notices.models import NotificationTemplate
from propdesk.notices.rendering import Rendered, fill, template_check
from propdesk.notices.services._common import clean_line

MAX_BODY = 1000


def _clean(event: str, channel: str, subject, body) -> dict:
    if event not in EVENTS:
        raise ValidationFailed(_("Choose one of the listed events."), field="event")
    if channel not in NotificationTemplate.Channel.values:
        raise ValidationFailed(_("Choose one of the listed values."), field="channel")
    subject = clean_line("subject", subject, max_length=200)
    body = clean_text("body", body, max_length=MAX_BODY, required=True)
    template_check(event, subject, field="subject")
    template_check(event, body, field="body")
    return {"subject": subject, "body": body}


@transaction.atomic
def notification_template_save(
    *,
    actor,
    event: str,
    channel: str,
    subject: str,
    body: str,
    community=None,
    template: NotificationTemplate | None = None,
) -> NotificationTemplate:
    """Create or change one template; a community's row overrides the company default."""
    if template is not None:
        community, event, channel = template.community, template.event, template.channel
    require(actor, Perm.NOTICE_TEMPLATES, community.id if community is not None else None)
    values = _clean(event, channel, subject, body)
    if template is None:
        template = NotificationTemplate.objects.filter(
            community=community, event=event, channel=channel
        ).first()
    if template is None:
        template = NotificationTemplate.objects.create(
            community=community, event=event, channel=channel, updated_by=actor, **values
        )
        audit.record_change(actor=actor, instance=template, action="create")
        return template
    changes = audit.apply_changes(template, values)
    if changes:
        template.updated_by = actor
        template.updated_at = timezone.now()
        template.save(update_fields=[*changes, "updated_by", "updated_at"])
        audit.record_change(actor=actor, instance=template, action="update", changes=changes)
    return template


def notification_template_preview(*, actor, event: str, subject: str, body: str) -> Rendered:
    """Render unsaved words with the event's sample values (errors name the field at fault)."""
    require(actor, Perm.NOTICE_TEMPLATES)
    values = _clean(event, "any", subject, body)
    sample = EVENTS[event].variables
    return Rendered(subject=fill(values["subject"], sample), body=fill(values["body"], sample))
