"""Each company's merchant credentials at WeChat Pay and Alipay: what is asked, how it is checked,
and how an adapter gets it (decrypted in memory for one request, never logged or shown).

An administrator enters them on the settings page (portal.views.provider_settings); the service
`portal.services.provider_settings.credentials_save` checks them here and stores them sealed
(payments.vault). A provider whose credentials are missing, unreadable or invalid is not offered
to owners, and `check --deploy` names it.
"""

import base64
import datetime
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.portal.payments.vault import VaultUnavailable, unseal


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    secret: bool  # a key: a password box on the form, never echoed
    multiline: bool = False
    help: str = ""


FIELDS: dict[str, tuple[Field, ...]] = {
    "wechat": (
        Field("mchid", _("Merchant id (商户号)"), secret=False),
        Field("appid", _("App id of the official account (AppID)"), secret=False),
        Field("merchant_serial", _("Serial number of the merchant API certificate"), secret=False),
        Field(
            "private_key",
            _("Merchant API private key (apiclient_key.pem)"),
            secret=True,
            multiline=True,
        ),
        Field("apiv3_key", _("API v3 key (32 characters)"), secret=True),
        Field(
            "platform_certificate",
            _("WeChat Pay platform certificate (PEM)"),
            secret=True,
            multiline=True,
            help=_("Downloaded from the merchant platform; its serial identifies notifications."),
        ),
    ),
    "alipay": (
        Field("app_id", _("Alipay app id (APPID)"), secret=False),
        Field("app_private_key", _("App private key (RSA2, PEM)"), secret=True, multiline=True),
        Field("alipay_public_key", _("Alipay public key (PEM)"), secret=True, multiline=True),
    ),
}


class CredentialProblem(Exception):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def _pem(text: str) -> bytes:
    text = str(text or "").strip().replace("\r\n", "\n")
    return text.encode()


def private_key(text: str, field: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(_pem(text), password=None)
    except (ValueError, TypeError) as exc:
        raise CredentialProblem(field, _("This is not an unencrypted PEM private key.")) from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise CredentialProblem(field, _("The key must be an RSA key of 2048 bits or more."))
    return key


def public_key(text: str, field: str) -> rsa.RSAPublicKey:
    raw = _pem(text)
    if b"-----BEGIN" not in raw:  # Alipay's console shows the bare base64 of the key
        body = re.sub(rb"\s+", b"", raw)
        raw = b"-----BEGIN PUBLIC KEY-----\n" + body + b"\n-----END PUBLIC KEY-----\n"
    try:
        key = serialization.load_pem_public_key(raw)
    except (ValueError, TypeError) as exc:
        raise CredentialProblem(field, _("This is not a PEM public key.")) from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise CredentialProblem(field, _("The key must be an RSA key of 2048 bits or more."))
    return key


def certificate(text: str, field: str) -> x509.Certificate:
    try:
        cert = x509.load_pem_x509_certificate(_pem(text))
    except (ValueError, TypeError) as exc:
        raise CredentialProblem(field, _("This is not a PEM certificate.")) from exc
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise CredentialProblem(field, _("The certificate must hold an RSA key."))
    return cert


def certificate_serial(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


def _mask(value: str) -> str:
    value = str(value)
    return value[:2] + "*" * max(len(value) - 4, 2) + value[-2:] if len(value) > 4 else "****"


def check(provider: str, values: dict, *, now: datetime.datetime | None = None):
    """Check the values entered for `provider`; return (lookup, summary, cleaned values).

    Raises CredentialProblem naming the first wrong field."""
    now = now or timezone.now()
    fields = FIELDS.get(provider)
    if fields is None:
        raise CredentialProblem("provider", _("Unknown payment provider."))
    cleaned = {}
    for field in fields:
        value = str(values.get(field.name) or "").strip()
        if not value:
            raise CredentialProblem(field.name, _("This field is required."))
        if "\x00" in value or len(value) > 12000:
            raise CredentialProblem(field.name, _("This value is not valid."))
        cleaned[field.name] = value
    if provider == "wechat":
        if not re.fullmatch(r"\d{8,12}", cleaned["mchid"]):
            raise CredentialProblem("mchid", _("A merchant id is 8 to 12 digits."))
        if not re.fullmatch(r"wx[0-9A-Za-z]{16}", cleaned["appid"]):
            raise CredentialProblem("appid", _("An app id is wx followed by 16 letters or digits."))
        if not re.fullmatch(r"[0-9A-Fa-f]{8,40}", cleaned["merchant_serial"]):
            raise CredentialProblem("merchant_serial", _("A serial number is hexadecimal digits."))
        cleaned["merchant_serial"] = cleaned["merchant_serial"].upper()
        private_key(cleaned["private_key"], "private_key")
        if len(cleaned["apiv3_key"].encode()) != 32:
            raise CredentialProblem("apiv3_key", _("The API v3 key is exactly 32 characters."))
        cert = certificate(cleaned["platform_certificate"], "platform_certificate")
        if cert.not_valid_after_utc <= now:
            raise CredentialProblem(
                "platform_certificate", _("The platform certificate has expired.")
            )
        summary = {
            "merchant": _mask(cleaned["mchid"]),
            "certificate_serial": certificate_serial(cert),
            "certificate_expires": cert.not_valid_after_utc.date().isoformat(),
        }
        return certificate_serial(cert), summary, cleaned
    if not re.fullmatch(r"\d{16}", cleaned["app_id"]):
        raise CredentialProblem("app_id", _("An Alipay app id is 16 digits."))
    private_key(cleaned["app_private_key"], "app_private_key")
    public_key(cleaned["alipay_public_key"], "alipay_public_key")
    return cleaned["app_id"], {"merchant": _mask(cleaned["app_id"])}, cleaned


def _usable_row(row) -> dict | None:
    if row is None or row.problem:
        return None
    try:
        values = unseal(row.secret)
    except VaultUnavailable:
        return None
    return values


def load(provider: str, company_id: int) -> dict | None:
    """The decrypted credentials of a company at a provider, or None when not usable."""
    from propdesk.portal.models import PaymentCredential

    row = PaymentCredential.objects.filter(company_id=company_id, provider=provider).first()
    return _usable_row(row)


def find(provider: str, lookup: str) -> tuple[int, dict] | None:
    """The company (and its credentials) a notification names by serial or app id."""
    from propdesk.portal.models import PaymentCredential

    lookup = str(lookup or "")[:64]
    if not lookup:
        return None
    for row in PaymentCredential.objects.filter(provider=provider, lookup=lookup):
        values = _usable_row(row)
        if values is not None:
            return row.company_id, values
    return None


def configured_companies(provider: str) -> list[int]:
    """Companies whose credentials at `provider` are stored and readable."""
    from propdesk.portal.models import PaymentCredential

    return [
        row.company_id
        for row in PaymentCredential.objects.filter(provider=provider, problem="")
        if _usable_row(row) is not None
    ]


def problems() -> list[tuple[int, str, str]]:
    """(company id, provider, problem) of every stored credential that cannot be used."""
    from propdesk.portal.models import PaymentCredential

    found = []
    for row in PaymentCredential.objects.all():
        if row.problem:
            found.append((row.company_id, row.provider, row.problem))
            continue
        try:
            values = unseal(row.secret)
            check(row.provider, values)
        except VaultUnavailable:
            found.append(
                (row.company_id, row.provider, "cannot be decrypted with the configured key")
            )
        except CredentialProblem as exc:
            found.append((row.company_id, row.provider, f"{exc.field}: {exc.message}"))
    return found


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
