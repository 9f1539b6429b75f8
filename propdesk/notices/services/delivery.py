"""Sending one event's message to people by the channels they prefer, through the outbox.

Used by announcements and by the fee messages (bill issued, payment received). Who gets what:

- an owner with a portal account: the in-app inbox always, plus SMS to their mobile and email to
  the address in their profile; the outbox's delivery policy then honours their switches and quiet
  hours (skipped or deferred), except for emergencies;
- an owner or resident without an account: SMS to the mobile in the registry, if there is one.

Dedupe keys are `<base>:<channel>:<address>`, so the same person reached twice for one event
(two houses, owner and resident) gets one message per channel, and a retried step adds nothing.
"""

from dataclasses import dataclass

from propdesk.core.outbox import message_build, messages_enqueue
from propdesk.notices.delivery_policy import preference_of, preferences_attach
from propdesk.notices.rendering import render_words, template_words
from propdesk.notices.wechat import wechat_openids_for


@dataclass(frozen=True)
class Person:
    name: str
    mobile: str = ""
    user: object = None


def person_channels(person: Person, openid: str = "") -> list[tuple[str, str, object]]:
    """(channel, recipient, user) for one person, before preferences are applied (`openid`:
    the person's account linked WeChat under the community's service account)."""
    if person.user is None:
        return [("sms", person.mobile, None)] if person.mobile else []
    user = person.user
    channels = [("in_app", user.username, user)]
    mobile = person.mobile or getattr(user, "mobile", "")
    if mobile:
        channels.append(("sms", mobile, user))
    pref = preference_of(user)
    if pref.email:
        channels.append(("email", pref.email, user))
    if openid:
        channels.append(("wechat", openid, user))
    return channels


def people_notify(
    *,
    people: list[Person],
    event: str,
    outbox_event: str,
    context: dict,
    community,
    dedupe_base: str,
    urgent: bool = False,
) -> int:
    """Queue `event`'s message to each person; return how many people were reached at all.

    The messages are built first (preferences read in one go) and written in batches, with one
    delivery pass after commit."""
    preferences_attach(person.user for person in people if person.user is not None)
    openids = wechat_openids_for(
        [person.user for person in people if person.user is not None],
        getattr(community, "id", community),
    )
    words = {}
    seen: set[tuple[str, str]] = set()
    messages = []
    reached = 0
    for person in people:
        queued = False
        openid = openids.get(person.user.pk, "") if person.user is not None else ""
        for channel, recipient, user in person_channels(person, openid):
            if (channel, recipient) in seen:
                continue
            seen.add((channel, recipient))
            if channel not in words:
                words[channel] = template_words(event, community, channel)
            variables = {**context, "owner": person.name}
            text = render_words(event, words[channel], variables)
            messages.append(
                message_build(
                    channel=channel,
                    recipient=recipient,
                    recipient_user=user,
                    event=outbox_event,
                    subject=text.subject,
                    body=text.body,
                    dedupe_key=f"{dedupe_base}:{channel}:{recipient}",
                    community_id=getattr(community, "id", community),
                    urgent=urgent,
                    params=variables,
                )
            )
            queued = True
        reached += queued
    messages_enqueue(messages)
    return reached
