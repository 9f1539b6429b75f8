"""Severe-weather warnings (天气预警, seed 003 ch.6; DOMAIN.md §6).

- Staff schedule a warning (title and advice) to chosen communities for a time (now by default,
  at most seven days ahead); one `WeatherWarning` per community.
- Special-care residents are reached first: scheduling adds a phone call to each active care
  resident of the community (`care_calls_start`, due by the send time) on the staff's call list,
  and at the send their SMS are the first messages queued.
- At the send time the worker queues the notices template `weather.warning` to every current
  owner and resident through the usual channels, switches and quiet hours (not urgent: a warning
  for tomorrow waits for the morning; an emergency under way is an incident's broadcast).
- Cancelling a warning before it is sent closes its open care calls: nobody needs phoning.
- The claim is one conditional UPDATE, so of two workers only one queues a warning; dedupe keys
  `weather:<id>:<channel>:<address>` make a rerun add nothing.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import error_codes
from propdesk.community.models import CareCall, CareResident, WarningStatus, WeatherWarning
from propdesk.community.services._common import clean_when
from propdesk.community.services.care import care_calls_start
from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community, House
from propdesk.notices.services.announcements import houses_audience
from propdesk.notices.services.delivery import Person, people_notify

logger = logging.getLogger("propdesk.community")

MAX_AHEAD = datetime.timedelta(days=7)
MAX_COMMUNITIES = 200
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)


@transaction.atomic
def weather_warning_schedule(
    *,
    actor,
    communities: list[Community],
    title: str,
    text: str,
    send_at: datetime.datetime | None = None,
) -> list[WeatherWarning]:
    """Schedule a warning to each chosen community and put its care residents on the call list."""
    if not communities:
        raise ValidationFailed(
            _("Choose at least one community."),
            code=error_codes.BAD_COMMUNITIES,
            field="communities",
        )
    if len(communities) > MAX_COMMUNITIES:
        raise ValidationFailed(
            _("Too many items chosen."), code=error_codes.TOO_MANY, field="communities"
        )
    for community in communities:
        require(actor, Perm.WEATHER_WARNING, community.id)
    now = timezone.now()
    title = clean_text("title", title, max_length=60, required=True)
    text = clean_text("text", text, max_length=300, required=True)
    send_at = (
        clean_when(
            "send_at",
            send_at,
            not_before=now - datetime.timedelta(minutes=5),
            not_after=now + MAX_AHEAD,
        )
        or now
    )
    warnings = []
    for community in sorted({c.id: c for c in communities}.values(), key=lambda c: c.id):
        warning = WeatherWarning.objects.create(
            community=community,
            title=title,
            text=text,
            send_at=send_at,
            created_by=actor,
            created_at=now,
        )
        calls = care_calls_start(
            community_id=community.id,
            reason=_("Severe-weather warning: %(title)s") % {"title": title},
            source=f"warning:{warning.id}",
            due_at=max(send_at, now),
        )
        WeatherWarning.objects.filter(pk=warning.pk).update(care_calls=calls)
        warning.care_calls = calls
        audit.record_change(
            actor=actor, instance=warning, action="create", changes={"title": [None, title]}
        )
        warnings.append(warning)
    return warnings


@transaction.atomic
def weather_warning_cancel(*, actor, warning: WeatherWarning) -> WeatherWarning:
    require(actor, Perm.WEATHER_WARNING, warning.community_id)
    changed = WeatherWarning.objects.filter(
        pk=warning.pk, status=WarningStatus.SCHEDULED, claimed_at__isnull=True
    ).update(status=WarningStatus.CANCELLED)
    if not changed:
        raise Conflict(
            _("This warning has already been sent."), code=error_codes.ALREADY_SENT, field="status"
        )
    # Nobody needs phoning about a warning that will not come.
    CareCall.objects.filter(source=f"warning:{warning.pk}", done_at__isnull=True).update(
        done_at=timezone.now(), outcome=_("Warning cancelled: no call needed.")
    )
    warning.refresh_from_db()
    audit.record_change(
        actor=actor,
        instance=warning,
        action="status",
        changes={"status": [WarningStatus.SCHEDULED, WarningStatus.CANCELLED]},
    )
    return warning


def _claim(warning_id: int, now: datetime.datetime) -> bool:
    return (
        WeatherWarning.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
            id=warning_id,
            status=WarningStatus.SCHEDULED,
            send_at__lte=now,
        ).update(claimed_at=now)
        == 1
    )


def warning_audience(warning: WeatherWarning) -> tuple[list[Person], int]:
    """The care residents with a mobile first (SMS, no account: never held by quiet hours),
    then every current owner and resident of the community; how many care residents lead."""
    care = [
        Person(name=r.name, mobile=r.mobile)
        for r in CareResident.objects.filter(
            community_id=warning.community_id, active=True
        ).exclude(mobile="")
    ]
    everyone = houses_audience(
        community_id=warning.community_id,
        houses=House.objects.filter(community_id=warning.community_id),
    )
    return care + everyone, len(care)


def weather_warning_send(warning_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Queue a due warning's messages once (the worker); True when this call did."""
    now = now or timezone.now()
    if not _claim(warning_id, now):
        return False
    with transaction.atomic():
        warning = WeatherWarning.objects.select_related("community").get(pk=warning_id)
        people, care_first = warning_audience(warning)
        reached = people_notify(
            people=people,
            event="weather.warning",
            outbox_event="weather.warning",
            context={
                "community": warning.community.name,
                "title": warning.title,
                "text": warning.text,
            },
            community=warning.community,
            dedupe_base=f"weather:{warning.id}",
        )
        WeatherWarning.objects.filter(pk=warning_id).update(
            status=WarningStatus.SENT,
            sent_at=timezone.now(),
            recipients=reached,
            care_told=care_first,
        )
    return True


def weather_warnings_send_due(*, now: datetime.datetime | None = None) -> int:
    """Every minute: queue the warnings whose time has come (each in its own transaction)."""
    now = now or timezone.now()
    ids = list(
        WeatherWarning.objects.filter(status=WarningStatus.SCHEDULED, send_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .order_by("send_at", "id")
        .values_list("id", flat=True)[:50]
    )
    sent = 0
    for warning_id in ids:
        try:
            sent += weather_warning_send(warning_id, now=now)
        except Exception:
            logger.exception("weather warning %s: queuing failed", warning_id)
    return sent
