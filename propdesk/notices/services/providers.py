"""Administrators set up each company's SMS gateway and WeChat service account.

Credentials are written encrypted (`core.secrets`) and never read back into a form or the
history: an empty secret field keeps the stored one, the history records only that a secret was
replaced. Templates are entered one message kind a line:

    request.updated = SMS_100002: number=number, status=status     (Aliyun: named parameters)
    request.updated = 100002: 1=number, 2=status                   (Tencent: numbered)
    * = SMS_100009: content=text                                   (every other kind)

(`variable` names come from the event's variables, `notices.events`; `text` is the whole
rendered message.) WeChat templates take the same form with the keyword names of the template.
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.secrets import Secret
from propdesk.core.transports import TransportError
from propdesk.core.transports.wechat import WechatConfigError
from propdesk.notices import error_codes
from propdesk.notices.models import SmsGateway, SmsTemplate, WechatAccount, WechatTemplate
from propdesk.notices.services._common import clean_bool, clean_line
from propdesk.notices.wechat import wechat_client

LINE = re.compile(r"^\s*([\w.*-]{1,60})\s*=\s*([\w.-]{1,64})\s*(?::\s*(.*))?$")
PAIR = re.compile(r"^\s*([\w.-]{1,40})\s*=\s*([\w.-]{1,40})\s*$")
HOST = re.compile(r"^[A-Za-z0-9.-]{1,190}(:\d{1,5})?$")
SECRET_FIELDS = ("access_key_id", "access_key_secret")


def parse_templates(field: str, text: str) -> list[tuple[str, str, list[list[str]]]]:
    """[(event, template code, [[parameter, variable], …])] from the text area; an error names
    the line."""
    rows, seen = [], set()
    text = clean_text_block(field, text)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            raise ValidationFailed(
                _("Line %(n)d: write it as 'kind = TEMPLATE_CODE: parameter=variable, …'.")
                % {"n": number},
                field=field,
                code=error_codes.PROVIDER_INVALID,
            )
        event, code, rest = match.group(1), match.group(2), match.group(3) or ""
        if event in seen:
            raise ValidationFailed(
                _("Line %(n)d: this message kind is already listed.") % {"n": number},
                field=field,
                code=error_codes.PROVIDER_INVALID,
            )
        seen.add(event)
        params = []
        for part in [p for p in rest.split(",") if p.strip()]:
            pair = PAIR.match(part)
            if not pair:
                raise ValidationFailed(
                    _("Line %(n)d: '%(part)s' is not parameter=variable.")
                    % {"n": number, "part": part.strip()[:40]},
                    field=field,
                    code=error_codes.PROVIDER_INVALID,
                )
            params.append([pair.group(1), pair.group(2)])
        rows.append((event, code, params))
    if len(rows) > 100:
        raise ValidationFailed(_("At most 100 templates."), field=field)
    return rows


def clean_text_block(field: str, value) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text or len(text) > 10000:
        raise ValidationFailed(_("This text is too long or holds invalid characters."), field=field)
    return text


def templates_text(rows) -> str:
    """The text area's content for stored templates (rows with event, code, params)."""
    return "\n".join(
        f"{event} = {code}" + (": " + ", ".join(f"{p}={v}" for p, v in params) if params else "")
        for event, code, params in rows
    )


def _clean_secret(field: str, value) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text or any(ch in text for ch in "\r\n\t") or len(text) > 200:
        raise ValidationFailed(_("Enter it on one line, at most 200 characters."), field=field)
    return text.strip()


def _clean_count(field: str, value, *, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Enter a whole number."), field=field) from exc
    if not low <= number <= high:
        raise ValidationFailed(
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field
        )
    return number


@transaction.atomic
def sms_gateway_save(
    *,
    actor,
    company,
    provider: str,
    access_key_id: str = "",
    access_key_secret: str = "",
    sign_name: str,
    sdk_app_id: str = "",
    region: str = "",
    endpoint: str = "",
    use_tls: bool = True,
    per_minute=1,
    per_hour=5,
    per_day=10,
    enabled: bool = True,
    templates: str = "",
) -> SmsGateway:
    """Create or change the company's SMS gateway. Empty secret fields keep the stored ones (a
    new gateway needs both)."""
    require(actor, Perm.MESSAGE_PROVIDERS)
    if provider not in SmsGateway.Provider.values:
        raise ValidationFailed(_("Choose Aliyun or Tencent Cloud."), field="provider")
    values = {
        "provider": provider,
        "sign_name": clean_line("sign_name", sign_name, max_length=40, required=True),
        "sdk_app_id": clean_line("sdk_app_id", sdk_app_id, max_length=20),
        "region": clean_line("region", region, max_length=30),
        "endpoint": clean_line("endpoint", endpoint, max_length=200),
        "use_tls": clean_bool("use_tls", use_tls),
        "per_minute": _clean_count("per_minute", per_minute, low=0, high=100),
        "per_hour": _clean_count("per_hour", per_hour, low=0, high=1000),
        "per_day": _clean_count("per_day", per_day, low=0, high=10000),
        "enabled": clean_bool("enabled", enabled),
    }
    if values["endpoint"] and not HOST.match(values["endpoint"]):
        raise ValidationFailed(
            _("Enter a host name, optionally with a port (dysmsapi.aliyuncs.com)."),
            field="endpoint",
        )
    if provider == SmsGateway.Provider.TENCENT and not values["sdk_app_id"].isdigit():
        raise ValidationFailed(_("Tencent Cloud needs the SDK AppID (digits)."), field="sdk_app_id")
    secrets_in = {
        "access_key_id": _clean_secret("access_key_id", access_key_id),
        "access_key_secret": _clean_secret("access_key_secret", access_key_secret),
    }
    rows = parse_templates("templates", templates)
    gateway = SmsGateway.objects.select_for_update().filter(company=company).first()
    creating = gateway is None
    if creating:
        missing = [f for f, v in secrets_in.items() if not v]
        if missing:
            raise ValidationFailed(_("Enter the credentials."), field=missing[0])
        gateway = SmsGateway(company=company, receipt_token=Secret(secrets.token_urlsafe(24)))
    changes = {} if creating else audit.apply_changes(gateway, values)
    if creating:
        for key, value in values.items():
            setattr(gateway, key, value)
    for field, value in secrets_in.items():
        if value:
            setattr(gateway, field, Secret(value))
            changes[field] = ["********", "******** (new)"]
    gateway.updated_by, gateway.updated_at = actor, timezone.now()
    gateway.save()
    old = list(gateway.templates.values_list("event", "template_code", "params"))
    if [(e, c, p) for e, c, p in old] != rows:
        gateway.templates.all().delete()
        SmsTemplate.objects.bulk_create(
            [SmsTemplate(gateway=gateway, event=e, template_code=c, params=p) for e, c, p in rows]
        )
        changes["templates"] = [templates_text(old), templates_text(rows)]
    if creating or changes:
        audit.record_change(
            actor=actor,
            instance=gateway,
            action="create" if creating else "update",
            changes=None if creating else changes,
            object_repr=f"{company} · {gateway.get_provider_display()}",
        )
    return gateway


@transaction.atomic
def sms_receipt_token_renew(*, actor, gateway: SmsGateway) -> str:
    """A new secret receipt address (the old one stops working); returned once, to show."""
    require(actor, Perm.MESSAGE_PROVIDERS)
    token = secrets.token_urlsafe(24)
    gateway.receipt_token = Secret(token)
    gateway.save(update_fields=["receipt_token"])
    audit.record_change(
        actor=actor,
        instance=gateway,
        action="update",
        note="receipt address renewed",
        object_repr=f"{gateway.company} · {gateway.get_provider_display()}",
    )
    return token


@transaction.atomic
def wechat_account_save(
    *,
    actor,
    company,
    app_id: str,
    app_secret: str = "",
    api_base: str = "https://api.weixin.qq.com",
    oauth_base: str = "https://open.weixin.qq.com",
    portal_url: str = "",
    enabled: bool = True,
    templates: str = "",
) -> WechatAccount:
    require(actor, Perm.MESSAGE_PROVIDERS)
    app_id = clean_line("app_id", app_id, max_length=32, required=True)
    if not re.fullmatch(r"wx[0-9a-zA-Z]{6,30}", app_id):
        raise ValidationFailed(_("A WeChat AppID starts with wx."), field="app_id")
    values = {
        "app_id": app_id,
        "api_base": _clean_url("api_base", api_base, required=True),
        "oauth_base": _clean_url("oauth_base", oauth_base, required=True),
        "portal_url": _clean_url("portal_url", portal_url, required=False),
        "enabled": clean_bool("enabled", enabled),
    }
    secret = _clean_secret("app_secret", app_secret)
    rows = parse_templates("templates", templates)
    taken = WechatAccount.objects.filter(app_id=app_id).exclude(company=company).exists()
    if taken:
        raise ValidationFailed(_("Another company uses this AppID."), field="app_id")
    account = WechatAccount.objects.select_for_update().filter(company=company).first()
    creating = account is None
    if creating:
        if not secret:
            raise ValidationFailed(_("Enter the AppSecret."), field="app_secret")
        account = WechatAccount(company=company, **values)
        changes = {}
    else:
        changes = audit.apply_changes(account, values)
    if secret:
        account.app_secret = Secret(secret)
        account.last_check_ok, account.last_check_error = None, ""
        changes["app_secret"] = ["********", "******** (new)"]
    account.updated_by, account.updated_at = actor, timezone.now()
    account.save()
    old = list(account.templates.values_list("event", "template_id", "fields"))
    if old != rows:
        account.templates.all().delete()
        WechatTemplate.objects.bulk_create(
            [WechatTemplate(account=account, event=e, template_id=c, fields=p) for e, c, p in rows]
        )
        changes["templates"] = [templates_text(old), templates_text(rows)]
    if creating or changes:
        audit.record_change(
            actor=actor,
            instance=account,
            action="create" if creating else "update",
            changes=None if creating else changes,
            object_repr=f"{company} · {app_id}",
        )
    return account


def _clean_url(field: str, value, *, required: bool) -> str:
    text = clean_line(field, value, max_length=200, required=required)
    if text and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[\w./~%-]*)?", text):
        raise ValidationFailed(_("Enter an address starting with https://."), field=field)
    return text


def wechat_account_check(*, actor, account: WechatAccount) -> bool:
    """Take an access token with the stored AppID and AppSecret now; remember the outcome."""
    require(actor, Perm.MESSAGE_PROVIDERS)
    try:
        wechat_client(account).check_credentials()
        ok, error = True, ""
    except WechatConfigError as exc:
        ok, error = False, str(exc)
    except TransportError as exc:
        ok, error = False, str(exc)
    WechatAccount.objects.filter(id=account.id).update(
        last_check_ok=ok, last_check_error=error[:300]
    )
    account.last_check_ok, account.last_check_error = ok, error[:300]
    return ok
