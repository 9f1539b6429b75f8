"""Birthday greetings (生日祝福, seed 003 ch.6; DOMAIN.md §6).

- The birth date is read from the person's validated resident ID number (`stdnum.cn.ric`): the
  current owners (people, not companies) and residents of a community whose birthday is today
  (29 February is greeted on 28 February in other years).
- The worker's job (`birthday_greetings_send`, every quarter of an hour from `GREETING_HOUR`
  local time) sends the notices template `greeting.birthday` through the usual channels, quiet
  hours and switches (not urgent). The text holds no personal data: the template may name only
  the community, and the job passes no name.
- Never twice for the same person and year: each greeting first writes a `BirthdayGreeting` row
  unique on (person, year) in the transaction that queues its messages; a second worker waits
  for the first's row and then skips the person. The dedupe keys carry the year too.
- A community turns its greetings off or on again (`greeting_setting_set`, supervisors; on
  when never set).
- A person opts out (`greeting_opt_out_set`, staff; `greeting_opt_out_mine`, the owner's own
  account); the person is keyed by company and a digest of the ID number, never the number.
"""

import datetime
import hashlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from propdesk.community import error_codes
from propdesk.community.models import BirthdayGreeting, GreetingOptOut, GreetingSetting
from propdesk.core import audit
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, is_owner_account, require
from propdesk.estates.models import Community, IdType, Owner, OwnerKind, Ownership, Resident
from propdesk.notices.services.delivery import Person, people_notify

logger = logging.getLogger("propdesk.community")

GREETING_HOUR = 9  # local time: greetings are queued from 09:00 (quiet hours still apply)


def person_key(company_id: int, id_number: str) -> str:
    digest = hashlib.sha256(id_number.strip().upper().encode()).hexdigest()[:40]
    return f"{company_id}:{digest}"


def birth_date_of(id_number: str) -> datetime.date | None:
    """The birth date a valid 18-digit resident ID number carries, or None."""
    try:
        return ric.get_birth_date(ric.validate(id_number))
    except Exception:  # not a valid resident ID number: no birthday known
        return None


def _born_today(day: datetime.date) -> list[str]:
    """The MMDD suffixes greeted on `day` (29 February on 28 February in other years)."""
    days = [f"{day:%m%d}"]
    if (day.month, day.day) == (2, 28):
        try:
            datetime.date(day.year, 2, 29)
        except ValueError:
            days.append("0229")
    return days


def birthday_people(community: Community, day: datetime.date) -> list[tuple[str, Person, dict]]:
    """(person key, person, {"owner" or "resident": row}) of the community's current owners and
    residents born on `day`, each person once (as an owner when they are both). The query
    compares the ID number's month and day; each match is then validated (checksum and date)
    before it counts."""
    mmdd = _born_today(day)
    with_birthday = {"birth_mmdd__in": mmdd, "id_length": 18}
    owners = (
        Owner.objects.filter(
            community_id=community.id,
            kind=OwnerKind.PERSON,
            id_type=IdType.RESIDENT_ID,
            id__in=Ownership.objects.filter(community_id=community.id, end_on__isnull=True).values(
                "owner_id"
            ),
        )
        .annotate(birth_mmdd=Substr("id_number", 11, 4), id_length=Length("id_number"))
        .filter(**with_birthday)
        .select_related("user")
        .order_by("id")
    )
    residents = (
        Resident.objects.filter(
            Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day), community_id=community.id
        )
        .annotate(birth_mmdd=Substr("id_number", 11, 4), id_length=Length("id_number"))
        .filter(**with_birthday)
        .order_by("id")
    )
    people: dict[str, tuple[Person, dict]] = {}
    for row in [*owners, *residents]:
        born = birth_date_of(row.id_number)
        if born is None or f"{born:%m%d}" not in mmdd:
            continue
        key = person_key(community.company_id, row.id_number)
        user = getattr(row, "user", None)
        user = user if user is not None and user.is_active else None
        # No name: the greeting names nobody (DOMAIN.md §6, no personal data in the text).
        who = {"owner": row} if isinstance(row, Owner) else {"resident": row}
        people.setdefault(key, (Person(name="", mobile=row.mobile, user=user), who))
    return [(key, person, who) for key, (person, who) in sorted(people.items())]


def _greet(community: Community, key: str, person: Person, who: dict, day: datetime.date) -> bool:
    """Queue one person's greeting with its once-a-year row; False when it exists already."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                BirthdayGreeting.objects.create(
                    community=community, person_key=key, year=day.year, sent_on=day, **who
                )
        except IntegrityError:  # another worker (or an earlier run) greeted this person
            return False
        people_notify(
            people=[person],
            event="greeting.birthday",
            outbox_event="greeting.birthday",
            context={"community": community.name},
            community=community,
            dedupe_base=f"birthday:{day.year}:{key}",
        )
    return True


def birthday_greetings_send(*, now: datetime.datetime | None = None) -> int:
    """Greet today's birthdays in every community (the worker, from `GREETING_HOUR`); return
    how many people this call greeted. Safe to run often and from several workers at once."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < GREETING_HOUR:
        return 0
    day = local.date()
    opted_out = set(GreetingOptOut.objects.values_list("person_key", flat=True))
    switched_off = GreetingSetting.objects.filter(enabled=False).values("community_id")
    greeted = 0
    for community in Community.objects.exclude(id__in=switched_off).order_by("id"):
        for key, person, who in birthday_people(community, day):
            if key in opted_out:
                continue
            try:
                greeted += _greet(community, key, person, who, day)
            except Exception:  # one person's failure must not stop the others; retried later
                logger.exception("birthday greeting in community %s failed", community.id)
    return greeted


def greetings_enabled(community: Community) -> bool:
    setting = GreetingSetting.objects.filter(community=community).first()
    return setting is None or setting.enabled


@transaction.atomic
def greeting_setting_set(*, actor, community: Community, enabled: bool) -> GreetingSetting:
    """Turn a community's birthday greetings on or off (supervisors of the community)."""
    require(actor, Perm.GREETING_CONFIGURE, community.id)
    if not isinstance(enabled, bool):
        raise ValidationFailed(_("Choose on or off."), code=error_codes.BAD_CHOICE, field="enabled")
    setting, created = GreetingSetting.objects.select_for_update().get_or_create(
        community=community, defaults={"enabled": enabled, "updated_by": actor}
    )
    before = True if created else setting.enabled
    if not created and setting.enabled != enabled:
        setting.enabled = enabled
        setting.updated_by = actor
        setting.updated_at = timezone.now()
        setting.save(update_fields=["enabled", "updated_by", "updated_at"])
    if before != enabled:
        audit.record_change(
            actor=actor,
            instance=setting,
            action="update",
            changes={"enabled": [before, enabled]},
            object_repr=_("Birthday greetings"),
        )
    return setting


def _opt_out_key(owner: Owner | None, resident: Resident | None) -> tuple[str, Community]:
    person = owner or resident
    field = "owner" if owner is not None else "resident"
    if birth_date_of(person.id_number) is None:
        raise ValidationFailed(
            _("No resident ID number is recorded for this person, so no greeting is sent."),
            code=error_codes.NO_ID_NUMBER,
            field=field,
        )
    community = Community.objects.get(pk=person.community_id)
    return person_key(community.company_id, person.id_number), community


@transaction.atomic
def greeting_opt_out_set(
    *, actor, owner: Owner | None = None, resident: Resident | None = None, opted_out: bool
) -> bool:
    """Record (or withdraw) a person's wish not to be greeted; staff of the person's community.
    Returns the state afterwards."""
    if (owner is None) == (resident is None):
        raise ValidationFailed(
            _("Name the owner or the resident."), code=error_codes.REQUIRED, field="owner"
        )
    require(actor, Perm.GREETING_OPT_OUT, (owner or resident).community_id)
    return _opt_out_write(actor, owner, resident, opted_out)


def _opt_out_write(actor, owner, resident, opted_out: bool) -> bool:
    key, community = _opt_out_key(owner, resident)
    existing = GreetingOptOut.objects.filter(person_key=key).first()
    if opted_out and existing is None:
        GreetingOptOut.objects.create(
            community=community, person_key=key, owner=owner, resident=resident, created_by=actor
        )
    elif not opted_out and existing is not None:
        existing.delete()
    else:
        return bool(opted_out)
    audit.record_change(
        actor=actor,
        instance=owner or resident,
        action="update",
        changes={"birthday_greetings": [opted_out, not opted_out]},
        object_repr=_("Birthday greetings"),
    )
    return bool(opted_out)


@transaction.atomic
def greeting_opt_out_mine(*, actor, opted_out: bool) -> bool:
    """An owner account turns its own birthday greetings off or on again."""
    if not is_owner_account(actor):
        from propdesk.core.errors import PermissionDenied

        raise PermissionDenied(_("This is for owner accounts."))
    owner = Owner.objects.filter(user=actor).first()
    if owner is None:
        raise ValidationFailed(
            _("No resident ID number is recorded for this person, so no greeting is sent."),
            code=error_codes.NO_ID_NUMBER,
            field="owner",
        )
    return _opt_out_write(actor, owner, None, opted_out)


def greeting_opted_out(owner: Owner) -> bool:
    key = person_key(Community.objects.get(pk=owner.community_id).company_id, owner.id_number)
    return GreetingOptOut.objects.filter(person_key=key).exists()
