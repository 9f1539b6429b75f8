"""Signing in with a one-time code or a password: expiry, reuse, brute force, rate limits."""

import datetime
import re

import pytest

from propdesk.accounts.models import Role, User
from propdesk.core.errors import ValidationFailed
from propdesk.core.models import AuditEvent, OutboxMessage
from propdesk.portal.models import SignInCode, SignInEvent
from propdesk.portal.services import signin
from propdesk.portal.tests.conftest import ZHANG

pytestmark = pytest.mark.django_db
IP = "10.0.0.8"


def sent_code(mobile: str = ZHANG) -> str:
    body = OutboxMessage.objects.filter(recipient=mobile, channel="sms").latest("id").body
    return re.search(r"\d{6}", body).group(0)


def test_it_sends_a_six_digit_code_by_sms_and_stores_only_its_hash(zhang_san):
    row = signin.code_request(mobile="138 1234 5678", ip=IP)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.event) == (
        "sms",
        ZHANG,
        "portal.sign_in_code",
    )
    code = sent_code()
    assert len(code) == 6 and code not in row.code_hash
    assert row.code_hash == signin.code_hash(ZHANG, code)
    assert (row.expires_at - row.created_at) == datetime.timedelta(minutes=5)
    signin.code_verify(mobile=ZHANG, code=code, ip=IP)
    audit_text = [f"{e.changes} {e.note} {e.object_repr}" for e in AuditEvent.objects.all()]
    assert audit_text and not any(code in text for text in audit_text)


def test_a_right_code_signs_in_once_and_creates_the_owner_account(zhang_san):
    signin.code_request(mobile=ZHANG, ip=IP)
    code = sent_code()
    user = signin.code_verify(mobile=ZHANG, code=code, ip=IP)
    assert (user.role, user.mobile, user.has_usable_password()) == (Role.OWNER, ZHANG, False)
    zhang_san.refresh_from_db()
    assert zhang_san.user == user
    with pytest.raises(ValidationFailed) as error:
        signin.code_verify(mobile=ZHANG, code=code, ip=IP)  # single use
    assert error.value.field == "code"


def test_an_expired_code_is_refused(zhang_san, clock):
    signin.code_request(mobile=ZHANG, ip=IP)
    code = sent_code()
    clock.shift(datetime.timedelta(minutes=5, seconds=1))
    with pytest.raises(ValidationFailed):
        signin.code_verify(mobile=ZHANG, code=code, ip=IP)
    assert not User.objects.filter(mobile=ZHANG).exists()


def test_a_new_code_replaces_the_old_one(zhang_san, clock):
    signin.code_request(mobile=ZHANG, ip=IP)
    first = sent_code()
    clock.shift(datetime.timedelta(seconds=61))
    signin.code_request(mobile=ZHANG, ip=IP)
    second = sent_code()
    if first != second:
        with pytest.raises(ValidationFailed):
            signin.code_verify(mobile=ZHANG, code=first, ip=IP)
    assert signin.code_verify(mobile=ZHANG, code=second, ip=IP).mobile == ZHANG


def test_brute_force_locks_the_number_even_for_the_right_code(zhang_san):
    signin.code_request(mobile=ZHANG, ip=IP)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            signin.code_verify(mobile=ZHANG, code=wrong, ip=IP)
    assert SignInEvent.objects.filter(kind="code_failed").count() == 5
    with pytest.raises(signin.TooManyAttempts) as error:
        signin.code_verify(mobile=ZHANG, code=code, ip=IP)
    assert error.value.status == 429
    assert not User.objects.filter(mobile=ZHANG).exists()


def test_the_lock_ends_after_the_window(zhang_san, clock):
    signin.code_request(mobile=ZHANG, ip=IP)
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            signin.code_verify(mobile=ZHANG, code="999999x", ip=IP)
    assert signin.is_locked(ZHANG)
    clock.shift(datetime.timedelta(minutes=16))
    assert not signin.is_locked(ZHANG)


def test_codes_are_rate_limited_per_number(zhang_san, clock):
    signin.code_request(mobile=ZHANG, ip=IP)
    with pytest.raises(signin.TooManyAttempts) as error:
        signin.code_request(mobile=ZHANG, ip=IP)
    assert error.value.code == "too_soon"
    for _ in range(4):
        clock.shift(datetime.timedelta(seconds=61))
        signin.code_request(mobile=ZHANG, ip=IP)
    clock.shift(datetime.timedelta(seconds=61))
    with pytest.raises(signin.TooManyAttempts) as error:
        signin.code_request(mobile=ZHANG, ip=IP)
    assert error.value.code == "too_many_codes"
    assert OutboxMessage.objects.count() == 5


def test_codes_are_rate_limited_per_ip(db, settings):
    settings.PORTAL_CODES_PER_IP_HOUR = 3
    for n in range(3):
        signin.code_request(mobile=f"1350000000{n}", ip=IP)
    with pytest.raises(signin.TooManyAttempts) as error:
        signin.code_request(mobile="13500000009", ip=IP)
    assert error.value.code == "too_many_codes_ip"
    signin.code_request(mobile="13500000009", ip="10.0.0.9")
    assert SignInCode.objects.count() == 4


@pytest.mark.parametrize("mobile", ["", "12345", "<script>", "1381234567x", "1" * 10000])
def test_it_refuses_bad_mobiles_naming_the_field(db, mobile):
    with pytest.raises(ValidationFailed) as error:
        signin.code_request(mobile=mobile, ip=IP)
    assert error.value.field == "mobile"
    assert not SignInCode.objects.exists()


def test_a_staff_login_never_becomes_a_portal_account(personas):
    staff = User.objects.create_user(
        "m13811112222", password="x", role=Role.AGENT, mobile="13811112222"
    )
    account = signin.account_for_mobile("13811112222")
    assert account.pk != staff.pk and account.role == Role.OWNER
    staff.refresh_from_db()
    assert (staff.role, staff.username) == (Role.AGENT, "m13811112222")


def test_an_owner_username_does_not_carry_the_mobile(zhang_san):
    user = signin.account_for_mobile(ZHANG)
    assert ZHANG not in user.username and ZHANG[-4:] not in user.username
    assert user.username.startswith("owner-")
    assert signin.account_for_mobile(ZHANG) == user  # found again by the mobile
    assert User.objects.filter(role=Role.OWNER, mobile=ZHANG).count() == 1


def test_the_migration_renames_accounts_named_after_their_mobile(db):
    from importlib import import_module

    from django.apps import apps

    old = User.objects.create_user("m13877776666", role=Role.OWNER, mobile="13877776666")
    staff = User.objects.create_user("m13877775555", role=Role.AGENT)
    migration = import_module("propdesk.accounts.migrations.0003_owner_usernames_without_mobile")
    migration.owner_usernames_without_mobile(apps, None)
    old.refresh_from_db()
    staff.refresh_from_db()
    assert old.username.startswith("owner-") and old.mobile == "13877776666"
    assert staff.username == "m13877775555"
    assert signin.account_for_mobile("13877776666") == old


def test_password_sign_in_after_setting_it(zhang_san, rf):
    user = signin.account_for_mobile(ZHANG)
    signin.password_set(actor=user, password="Lou-3-2-1502!", confirm="Lou-3-2-1502!")
    request = rf.post("/m/login/")
    assert (
        signin.password_sign_in(request=request, mobile=ZHANG, password="Lou-3-2-1502!", ip=IP)
        == user
    )
    with pytest.raises(ValidationFailed) as error:
        signin.password_sign_in(request=request, mobile=ZHANG, password="wrong", ip=IP)
    assert error.value.field == "password"
    assert SignInEvent.objects.filter(kind="password_failed").count() == 1


def test_wrong_passwords_lock_the_number(zhang_san, rf):
    user = signin.account_for_mobile(ZHANG)
    signin.password_set(actor=user, password="Lou-3-2-1502!", confirm="Lou-3-2-1502!")
    request = rf.post("/m/login/")
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            signin.password_sign_in(request=request, mobile=ZHANG, password="nope", ip=IP)
    with pytest.raises(signin.TooManyAttempts):
        signin.password_sign_in(request=request, mobile=ZHANG, password="Lou-3-2-1502!", ip=IP)


def test_a_weak_or_mismatched_password_is_refused(zhang_san):
    user = signin.account_for_mobile(ZHANG)
    with pytest.raises(ValidationFailed) as error:
        signin.password_set(actor=user, password="Lou-3-2-1502!", confirm="other")
    assert error.value.field == "confirm"
    with pytest.raises(ValidationFailed) as error:
        signin.password_set(actor=user, password="123", confirm="123")
    assert error.value.field == "password"
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_one_address_trying_many_numbers_is_locked(db, settings):
    settings.PORTAL_SIGNIN_MAX_IP_FAILURES = 4
    for n in range(4):
        mobile = f"1350000001{n}"
        signin.code_request(mobile=mobile, ip=IP)
        with pytest.raises(ValidationFailed):
            signin.code_verify(mobile=mobile, code="000000x", ip=IP)
    signin.code_request(mobile="13500000019", ip="10.0.0.9")
    with pytest.raises(signin.TooManyAttempts):
        signin.code_verify(mobile="13500000019", code=sent_code("13500000019"), ip=IP)
    user = signin.code_verify(mobile="13500000019", code=sent_code("13500000019"), ip="10.0.0.9")
    assert user.mobile == "13500000019"
