"""Signing in to the owner portal: a one-time code by SMS, or a password (DOMAIN.md §9).

- A code is 6 digits, valid 5 minutes, used once; only its keyed hash (HMAC-SHA256 with the
  site's secret) is stored, and the SMS goes through the notification outbox.
- Limits are counted in the database (SignInEvent), so they hold across processes: one code per
  number a minute, a few an hour per number and per IP address; after repeated wrong codes or
  passwords the number is locked for a while.
- The account is an accounts.User with the owner role, named after the mobile; it never becomes
  a staff account, and staff accounts never sign in here.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.accounts.models import Role, User
from propdesk.core import audit
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.core.outbox import message_enqueue
from propdesk.core.permissions import is_owner_account
from propdesk.core.validators import normalize_mobile
from propdesk.estates.models import Owner
from propdesk.portal import error_codes
from propdesk.portal.models import SignInCode, SignInEvent

Kind = SignInEvent.Kind


class TooManyAttempts(AppError):
    status = 429
    default_code = "rate_limited"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_ttl() -> datetime.timedelta:
    return datetime.timedelta(seconds=_setting("PORTAL_CODE_TTL_SECONDS", 300))


def limits() -> dict[str, int]:
    return {
        "resend_seconds": _setting("PORTAL_CODE_RESEND_SECONDS", 60),
        "per_mobile_hour": _setting("PORTAL_CODES_PER_MOBILE_HOUR", 5),
        "per_ip_hour": _setting("PORTAL_CODES_PER_IP_HOUR", 20),
        "max_failures": _setting("PORTAL_SIGNIN_MAX_FAILURES", 5),
        "lock_minutes": _setting("PORTAL_SIGNIN_LOCK_MINUTES", 15),
        "max_ip_failures": _setting("PORTAL_SIGNIN_MAX_IP_FAILURES", 30),
    }


def clean_mobile(value) -> str:
    try:
        return normalize_mobile(str(value or "").strip()[:20])
    except ValidationError as exc:
        raise ValidationFailed(
            _("Enter an 11-digit mobile number starting with 1."),
            code=error_codes.BAD_MOBILE,
            field="mobile",
        ) from exc


def code_hash(mobile: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal-code:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def _count(since, **filters) -> int:
    return SignInEvent.objects.filter(at__gte=since, **filters).count()


def _failures_since(mobile: str, now) -> int:
    since = now - datetime.timedelta(minutes=limits()["lock_minutes"])
    return _count(since, mobile=mobile, kind__in=[Kind.CODE_FAILED, Kind.PASSWORD_FAILED])


def is_locked(mobile: str, now=None) -> bool:
    """Locked after repeated wrong codes or passwords within the lock window."""
    now = now or timezone.now()
    return _failures_since(mobile, now) >= limits()["max_failures"]


def is_ip_locked(ip: str | None, now=None) -> bool:
    """One address trying codes or passwords for many numbers is stopped as well."""
    if not ip:
        return False
    now = now or timezone.now()
    rules = limits()
    since = now - datetime.timedelta(minutes=rules["lock_minutes"])
    failures = _count(since, ip=ip, kind__in=[Kind.CODE_FAILED, Kind.PASSWORD_FAILED])
    return failures >= rules["max_ip_failures"]


def _refuse_locked(mobile: str, now, ip: str | None = None) -> None:
    if is_locked(mobile, now) or is_ip_locked(ip, now):
        raise TooManyAttempts(
            _("Too many wrong attempts. Try again in %(n)d minutes.")
            % {"n": limits()["lock_minutes"]},
            code=error_codes.LOCKED,
            field="mobile",
        )


def _event(kind: str, mobile: str, ip: str | None, now) -> None:
    SignInEvent.objects.create(kind=kind, mobile=mobile, ip=ip or None, at=now)


@transaction.atomic
def code_request(*, mobile, ip: str | None) -> SignInCode:
    """Send a new sign-in code to `mobile` by SMS; earlier unused codes stop working."""
    mobile = clean_mobile(mobile)
    now = timezone.now()
    rules = limits()
    _refuse_locked(mobile, now, ip)
    last = SignInEvent.objects.filter(mobile=mobile, kind=Kind.CODE_SENT).order_by("-at").first()
    if last and (now - last.at).total_seconds() < rules["resend_seconds"]:
        raise TooManyAttempts(
            _("A code was sent less than a minute ago. Wait before asking again."),
            code=error_codes.TOO_SOON,
            field="mobile",
        )
    hour_ago = now - datetime.timedelta(hours=1)
    if _count(hour_ago, mobile=mobile, kind=Kind.CODE_SENT) >= rules["per_mobile_hour"]:
        raise TooManyAttempts(
            _("Too many codes for this number. Try again in an hour."),
            code=error_codes.TOO_MANY_CODES,
            field="mobile",
        )
    if ip and _count(hour_ago, ip=ip, kind=Kind.CODE_SENT) >= rules["per_ip_hour"]:
        raise TooManyAttempts(
            _("Too many codes from this network. Try again in an hour."),
            code=error_codes.TOO_MANY_CODES_IP,
            field="mobile",
        )
    SignInCode.objects.filter(mobile=mobile, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SignInCode.objects.create(
        mobile=mobile,
        code_hash=code_hash(mobile, code),
        created_at=now,
        expires_at=now + code_ttl(),
        ip=ip or None,
    )
    _event(Kind.CODE_SENT, mobile, ip, now)
    minutes = int(code_ttl().total_seconds() // 60)
    message_enqueue(
        channel="sms",
        recipient=mobile,
        event="portal.sign_in_code",
        body=_(
            "Your sign-in code is %(code)s, valid for %(minutes)d minutes. "
            "Do not tell it to anyone."
        )
        % {"code": code, "minutes": minutes},
        dedupe_key=f"portal-code:{row.pk}",
        params={"code": code, "minutes": minutes},
    )
    return row


def _wrong_code(mobile: str, ip, now, row: SignInCode | None) -> AppError:
    _event(Kind.CODE_FAILED, mobile, ip, now)
    if row is not None:
        SignInCode.objects.filter(pk=row.pk).update(failed_attempts=row.failed_attempts + 1)
    return ValidationFailed(
        _("The code is wrong or has expired. Ask for a new one."),
        code=error_codes.BAD_CODE,
        field="code",
    )


def code_verify(*, mobile, code, ip: str | None) -> User:
    """Check the code: right, unused and not expired → the account (created on first sign-in).

    A wrong code is counted against the number; after too many the number is locked and the
    code stops working. Each failure is committed even though the sign-in is refused.
    """
    mobile = clean_mobile(mobile)
    code = str(code or "").strip()
    now = timezone.now()
    _refuse_locked(mobile, now, ip)
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if (
            len(code) != 6
            or not code.isdigit()
            or row is None
            or row.failed_attempts >= limits()["max_failures"]
            or not hmac.compare_digest(row.code_hash, code_hash(mobile, code))
        ):
            error = _wrong_code(mobile, ip, now, row)
        else:
            error = None
            # Single use: the conditional update wins once even if two requests race.
            SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
            user = account_for_mobile(mobile)
            _event(Kind.SIGNED_IN, mobile, ip, now)
    if error is not None:
        raise error
    return user


def password_sign_in(*, request, mobile, password: str, ip: str | None) -> User:
    """Sign in with the mobile and the password the owner set in the portal."""
    mobile = clean_mobile(mobile)
    now = timezone.now()
    _refuse_locked(mobile, now, ip)
    account = owner_account_of(mobile)
    user = None
    if account is not None and account.has_usable_password() and password:
        user = authenticate(request, username=account.username, password=str(password)[:200])
    if not is_owner_account(user):
        _event(Kind.PASSWORD_FAILED, mobile, ip, now)
        raise ValidationFailed(
            _("The mobile number or the password is wrong."),
            code=error_codes.BAD_PASSWORD,
            field="password",
        )
    _event(Kind.SIGNED_IN, mobile, ip, now)
    return user


def owner_account_of(mobile: str) -> User | None:
    """The owner-role account of a mobile: accounts are found by their verified mobile, never by
    a username made of it (usernames are shown on admin pages and must not carry the number)."""
    return User.objects.filter(mobile=mobile, role=Role.OWNER).order_by("id").first()


def new_owner_username() -> str:
    """An opaque username for a new owner account."""
    return f"owner-{secrets.token_hex(6)}"


def link_owner_account(user: User, owner: Owner) -> bool:
    """Link an owner record to a portal account, unless another account took it meanwhile.

    An account without a name takes the owner's, so staff read the owner's name wherever the
    account acted (histories, timelines) rather than its opaque username."""
    linked = bool(
        Owner.objects.filter(Q(user__isnull=True) | Q(user=user), pk=owner.pk).update(user=user)
    )
    if linked:
        name_account(user, owner.name)
    return linked


def name_account(user: User, name: str) -> None:
    """Give a portal account without a name the person's name from the registry."""
    name = (name or "").strip()[: User._meta.get_field("first_name").max_length]
    if name and not (user.first_name or user.last_name):
        User.objects.filter(pk=user.pk, first_name="", last_name="").update(first_name=name)
        user.first_name = name


@transaction.atomic
def account_for_mobile(mobile: str) -> User:
    """The owner-role account of this verified mobile, created on first sign-in.

    The first owner archive record with this mobile and no account yet is linked to it, so the
    fees and request services that follow `Owner.user` know the owner too.
    """
    user = owner_account_of(mobile)
    if user is None:
        try:
            with transaction.atomic():
                # A staff login with the same mobile stays a staff login: the owner account is
                # a separate one (one owner account per mobile, a database constraint).
                user = User(username=new_owner_username(), role=Role.OWNER, mobile=mobile)
                user.set_unusable_password()
                user.save()
        except IntegrityError:
            user = User.objects.get(mobile=mobile, role=Role.OWNER)
        else:
            audit.record_change(
                actor=user,
                instance=user,
                action="portal_account_created",
                object_repr=user.username,
            )
    if not Owner.objects.filter(user=user).exists():
        owner = (
            Owner.objects.filter(mobile=mobile, user__isnull=True, ownerships__end_on__isnull=True)
            .order_by("id")
            .first()
        )
        if owner is not None:
            link_owner_account(user, owner)
            audit.record_change(
                actor=user,
                instance=owner,
                action="portal_account_linked",
                owner_id=owner.pk,
                object_repr=owner.name,
            )
    return user


@transaction.atomic
def password_set(*, actor: User, password: str, confirm: str) -> User:
    """The owner sets (or changes) the password for signing in without a code."""
    from django.contrib.auth.password_validation import validate_password

    if not is_owner_account(actor):
        raise ValidationFailed(_("Only portal accounts set their password here."), field="password")
    password = str(password or "")
    if len(password) > 128:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": 128}, field="password")
    if password != str(confirm or ""):
        raise ValidationFailed(
            _("The two passwords differ."), code=error_codes.MISMATCH, field="confirm"
        )
    try:
        validate_password(password, actor)
    except ValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages), code=error_codes.WEAK_PASSWORD, field="password"
        ) from exc
    actor.set_password(password)
    actor.save(update_fields=["password"])
    audit.record_change(actor=actor, instance=actor, action="portal_password_set", object_repr="")
    return actor
