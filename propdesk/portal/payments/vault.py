"""Payment credentials encrypted at rest, through the kernel's one helper (core.secrets:
Fernet under `SECRETS_KEYS`, rotated by putting a new key first; derived from `SECRET_KEY` when
that setting is empty). A company's values at a provider are sealed together as one JSON text;
plain credentials live only in memory, for one request to a provider.
"""

import json

from propdesk.core.secrets import decrypt_text, encrypt_text


class VaultUnavailable(Exception):
    """Stored data cannot be read with the keys configured (a key lost or rotated away)."""


def seal(values: dict) -> str:
    """The encrypted text of a dict of credential values."""
    return encrypt_text(json.dumps(values, sort_keys=True))


def unseal(token: str) -> dict:
    """The dict sealed in `token`; VaultUnavailable when no configured key opens it."""
    secret = decrypt_text(str(token or ""))
    if not secret.readable or not secret:
        raise VaultUnavailable("stored credentials do not open with the configured keys")
    try:
        values = json.loads(secret.reveal())
    except ValueError as exc:
        raise VaultUnavailable("stored credentials are not readable") from exc
    if not isinstance(values, dict):
        raise VaultUnavailable("stored credentials are not readable")
    return values
