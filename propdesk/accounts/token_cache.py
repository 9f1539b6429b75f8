"""Who an API token acts as, remembered per process (issue 20: the token check of every call).

An integration sends its token with every call; reading the token, its user and the user's
communities each time cost two statements per call. Each web process keeps them for
`CACHE_SECONDS`. Anything that could change the answer — a token saved or revoked, a user saved
(deactivated, another role), a user's communities changed, a community added or removed — clears
this process's entries at once and again when its transaction commits; other processes see the
change within `CACHE_SECONDS`. Every call gets a user object of its own, built from the
remembered values, so nothing one call sets on it reaches another.
"""

import datetime
import threading
import time
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from propdesk.accounts.models import ApiToken, User
from propdesk.core.permissions import community_ids, community_ids_known

CACHE_SECONDS = 10.0
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]


@dataclass(frozen=True)
class _Entry:
    token_id: int
    user_values: tuple
    community_ids: tuple[int, ...]
    last_used_at: datetime.datetime | None
    expires: float


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()


def token_user(key_hash: str) -> User | None:
    """The active user a live token acts as, with its communities known; None otherwise. Records
    the token's use at most once a minute."""
    now = time.monotonic()
    entry = _entries.get(key_hash)
    if entry is None or entry.expires <= now:
        entry = _load(key_hash, now)
        if entry is None:
            return None
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, entry.user_values)
    if not user.is_active:
        return None
    community_ids_known(user, list(entry.community_ids))
    used = timezone.now()
    if entry.last_used_at is None or used - entry.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=used)
        with _lock:
            _entries[key_hash] = _Entry(**{**entry.__dict__, "last_used_at": used})
    return user


def _load(key_hash: str, now: float) -> _Entry | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    entry = _Entry(
        token_id=token.pk,
        user_values=tuple(getattr(token.user, name) for name in _USER_FIELDS),
        community_ids=tuple(community_ids(token.user)) if token.user.is_active else (),
        last_used_at=token.last_used_at,
        expires=now + CACHE_SECONDS,
    )
    with _lock:
        _entries[key_hash] = entry
    return entry


def tokens_forget(*_args, **_kwargs) -> None:
    """Forget every remembered token now and once the current transaction commits (a call served
    meanwhile by another thread may have read the rows as they were)."""
    cache_clear()
    transaction.on_commit(cache_clear)


def cache_clear() -> None:
    with _lock:
        _entries.clear()


def forget_on_change() -> None:
    """Wire `tokens_forget` to every change that could alter who a token acts as."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for sender in (ApiToken, User, "estates.Community"):
        for signal in (post_save, post_delete):
            signal.connect(tokens_forget, sender=sender, dispatch_uid=f"token-cache-{sender}")
    m2m_changed.connect(
        tokens_forget, sender=User.communities.through, dispatch_uid="token-cache-communities"
    )
