"""Credentials stored encrypted at rest: providers' keys and secrets (SMS, WeChat, payments).

One helper for every app that keeps a credential in the database:

- `EncryptedTextField` — a model field whose column holds a Fernet token (AES-128-CBC with an
  HMAC-SHA256, from `cryptography`); reading the row gives back a `Secret`, never a bare string.
- `Secret` — the value in memory: `str()`, `repr()` and f-strings show `********`, so a secret
  that reaches a log line, an exception message, a template or an API response by mistake stays
  hidden; only `reveal()` gives the plain text, at the one place that signs or sends with it.
- `encrypt_text` / `decrypt_text` — the same for code that keeps a secret elsewhere (a cache).

Keys: `settings.SECRETS_KEYS` (the `SECRETS_KEYS` environment variable: comma-separated Fernet
keys, `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
The first key encrypts, every key decrypts, so a key is rotated by putting a new one first and
saving the credentials again (each save encrypts with the first key). Without
the setting the key is derived from `SECRET_KEY` (HKDF-SHA256), so changing `SECRET_KEY` then makes
the stored credentials unreadable: production sites set `SECRETS_KEYS` (README, deployment).

A token that no key opens (a key lost, a column edited by hand) reads as an unreadable `Secret`
(`secret.readable` is False), never an exception in a page: the settings page says to enter it
again and the deployment check reports the configuration as invalid.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

MASK = "********"


class Secret:
    """A credential in memory. Shows as `********` everywhere except `reveal()`."""

    __slots__ = ("_value", "readable")

    def __init__(self, value: str = "", *, readable: bool = True):
        self._value = value or ""
        self.readable = readable

    def reveal(self) -> str:
        """The plain text, for the one call that signs or sends with it. Never log it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __str__(self) -> str:
        return MASK if self._value or not self.readable else ""

    def __repr__(self) -> str:
        return f"Secret({MASK!r})" if self._value else "Secret('')"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value and self.readable == other.readable
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickled in clear (a cache, a task argument)
        raise TypeError("a Secret is not pickled; encrypt_text() it instead")


def _fernet_key_from(text: str) -> bytes:
    key = text.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(key)) != 32:
            raise ValueError
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SECRETS_KEYS must hold Fernet keys: 32 bytes, URL-safe base64 (44 characters)"
        ) from exc
    return key


def _derived_key() -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"propdesk.core.secrets", info=b"fernet-v1"
    )
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


@functools.cache
def _cipher_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    material = [_fernet_key_from(k) for k in keys] if keys else [_derived_key()]
    return MultiFernet([Fernet(k) for k in material])


def _cipher() -> MultiFernet:
    keys = tuple(k for k in getattr(settings, "SECRETS_KEYS", ()) if k.strip())
    return _cipher_for(keys, settings.SECRET_KEY)


def encrypt_text(plain: str | Secret) -> str:
    """The token stored for `plain` ("" stays ""): a new random IV every time."""
    text = plain.reveal() if isinstance(plain, Secret) else (plain or "")
    if not text:
        return ""
    return _cipher().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> Secret:
    """The `Secret` a stored token holds; an unreadable one if no key opens it."""
    if not token:
        return Secret("")
    try:
        return Secret(_cipher().decrypt(token.encode()).decode())
    except (InvalidToken, ValueError, UnicodeDecodeError):
        return Secret("", readable=False)


class _SecretAttribute(DeferredAttribute):
    """The model attribute: whatever is assigned (a str from a form) is held as a `Secret`."""

    def __set__(self, instance, value):
        if not isinstance(value, Secret):
            value = Secret("" if value is None else str(value))
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """A credential column: written as a Fernet token, read back as a `Secret`.

    Assign a `str` or a `Secret`; an empty value stays empty. The column is never searched or
    compared (every save writes a different token), so it takes no index and no unique."""

    description = "Text encrypted at rest"
    descriptor_class = _SecretAttribute

    def from_db_value(self, value, expression, connection):
        return decrypt_text(value or "")

    def to_python(self, value):
        if isinstance(value, Secret):
            return value
        if value is None:
            return Secret("")
        return Secret(str(value))

    def get_prep_value(self, value):
        if value is None:
            return ""
        if isinstance(value, Secret) and not value.readable:
            raise ValueError("an unreadable secret cannot be saved; enter it again")
        return encrypt_text(value)

    def value_to_string(self, obj):  # dumpdata and serializers: never the plain text
        return MASK
