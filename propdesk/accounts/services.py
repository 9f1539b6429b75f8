"""API tokens for integrations: created by an administrator, stored hashed, revocable.

The raw key exists only in the return value of `api_token_create`; the database keeps its SHA-256
and a short prefix to recognise it by. Every creation and revocation is in the change history.
"""

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.accounts import error_codes
from propdesk.accounts.models import ApiToken, User, hash_token
from propdesk.accounts.token_cache import tokens_forget
from propdesk.core import audit
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require

PREFIX_LENGTH = 12  # "pdk_" and 8 characters of the key: enough to tell tokens apart


def _clean_name(name) -> str:
    text = "" if name is None else str(name).strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValidationFailed(_("This field holds characters that are not allowed."), field="name")
    if not text:
        raise ValidationFailed(_("Name the integration this token is for."), field="name")
    if len(text) > 80:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": 80}, field="name")
    return text


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token acting as `user`; returns it with the raw key, which is never stored."""
    require(actor, Perm.API_TOKENS)
    name = _clean_name(name)
    if user is None or not user.is_active:
        raise ValidationFailed(_("Choose an active user for the token to act as."), field="user")
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_prefix=raw[:PREFIX_LENGTH],
        key_hash=hash_token(raw),
        created_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=token,
        action="create",
        changes={"user": [None, user.username]},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token for good: requests presenting it are refused from now on."""
    require(actor, Perm.API_TOKENS)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise Conflict(_("This token is already revoked."), code=error_codes.ALREADY_REVOKED)
    tokens_forget()  # an UPDATE sends no signal
    token.refresh_from_db(fields=["revoked_at"])
    audit.record_change(actor=actor, instance=token, action="revoke")
    return token


# Reads for the token pages and endpoints (administrators only).


def api_token_list(*, actor) -> QuerySet[ApiToken]:
    require(actor, Perm.API_TOKENS)
    return ApiToken.objects.select_related("user", "created_by").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-id"
    )


def api_token_get(*, actor, token_id) -> ApiToken:
    require(actor, Perm.API_TOKENS)
    try:
        token_id = int(token_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def token_user_get(*, actor, user_id, field: str = "user") -> User:
    """The active user a new token may act as, or NotFound naming `field`."""
    require(actor, Perm.API_TOKENS)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(_("No such active user."), field=field)
    return user


def token_users(*, actor) -> QuerySet[User]:
    require(actor, Perm.API_TOKENS)
    return User.objects.filter(is_active=True).order_by("username")
