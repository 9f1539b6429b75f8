"""The outbox's delivery policy: a person's channel switches and quiet hours (README: the rule).

`core.outbox.message_enqueue` asks `delivery_decision` about every message addressed to a user
account, before the row is written:

- emergencies (`urgent=True`) go at once on the channel asked for, whatever the preferences;
- the in-app inbox is never turned off or deferred: it is silent, and it is the fall-back;
- a channel the person turned off is skipped: the row is kept with status "skipped" so the
  history shows why nothing was sent, and the inbox copy the senders write still reaches them;
- a message due inside the person's quiet hours waits for their end (deferred, never dropped).

Staff accounts have no preferences here: work messages reach them as sent.
"""

import datetime
from dataclasses import dataclass

from propdesk.core.permissions import is_owner_account
from propdesk.notices.quiet_hours import quiet_hours_end

PREFERENCE_ATTR = "_propdesk_contact_preference"


@dataclass(frozen=True)
class Decision:
    skip: bool = False
    send_at: datetime.datetime | None = None
    reason: str = ""


def preference_of(user):
    """The saved preference, or an unsaved one holding the defaults (read once per user object:
    see `preferences_attach`)."""
    from propdesk.notices.models import ContactPreference

    attached = getattr(user, PREFERENCE_ATTR, None)
    if attached is not None:
        return attached
    found = ContactPreference.objects.filter(user_id=user.pk).first()
    return found or ContactPreference(user_id=user.pk)


def preferences_attach(users, *, chunk: int = 2000) -> None:
    """Read the preferences of many people at once, for a bulk send: one query per `chunk`
    people instead of one per message. They stay on these user objects, which a bulk send reads
    fresh and drops when it is done."""
    from propdesk.notices.models import ContactPreference

    users = [u for u in users if getattr(u, PREFERENCE_ATTR, None) is None]
    for start in range(0, len(users), chunk):
        part = users[start : start + chunk]
        found = {
            p.user_id: p for p in ContactPreference.objects.filter(user_id__in=[u.pk for u in part])
        }
        for user in part:
            setattr(user, PREFERENCE_ATTR, found.get(user.pk) or ContactPreference(user_id=user.pk))


def channel_enabled(pref, channel: str) -> bool:
    if channel == "sms":
        return pref.sms_enabled
    if channel == "email":
        return pref.email_enabled
    if channel == "wechat":
        return pref.wechat_enabled
    return True  # in_app


def delivery_decision(
    *, user, channel: str, urgent: bool, at: datetime.datetime, **_ignored
) -> Decision:
    if urgent or channel == "in_app" or not is_owner_account(user):
        return Decision(send_at=at)
    pref = preference_of(user)
    if not channel_enabled(pref, channel):
        return Decision(skip=True, send_at=at, reason="turned off by the recipient")
    if pref.quiet_hours_enabled:
        end = quiet_hours_end(at, pref.quiet_start, pref.quiet_end)
        if end is not None:
            return Decision(send_at=end, reason="deferred to the end of quiet hours")
    return Decision(send_at=at)
