"""Each company's message providers, as the outbox's SMS and WeChat channels find them.

Registered with `core.transports.sources` in this app's `ready()`. A message belongs to the
company of its community; a message without one (a sign-in code) to the company of the owner
account's houses, else to the site's only configured company.

`sms_gateway_problems` / `wechat_account_problems` say what is missing or unreadable in one
company's settings, in words for the settings page; the deployment check (`core.checks`,
propdesk.E001) asks `deploy_problems`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from propdesk.core.transports.aliyun_sms import AliyunSmsGateway
from propdesk.core.transports.sms_gateway import RateLimits, SmsGatewayConfig, SmsTemplateRef
from propdesk.core.transports.sources import provider_source_register
from propdesk.core.transports.tencent_sms import TencentSmsGateway
from propdesk.estates.models import Community
from propdesk.notices.models import SmsGateway, WechatAccount, WechatLink
from propdesk.notices.wechat import wechat_account_for_user, wechat_client

GATEWAYS = {"aliyun": AliyunSmsGateway, "tencent": TencentSmsGateway}


def _company_of(message) -> int | None:
    if message.community_id is not None:
        return (
            Community.objects.filter(id=message.community_id)
            .values_list("company_id", flat=True)
            .first()
        )
    return None


def sms_gateway_problems(gateway: SmsGateway) -> list[str]:
    problems = []
    for field, label in (
        ("access_key_id", _("the AccessKey ID / SecretId")),
        ("access_key_secret", _("the AccessKey secret / SecretKey")),
    ):
        value = getattr(gateway, field)
        if not value.readable:
            problems.append(_("%(what)s cannot be read: enter it again.") % {"what": label})
        elif not value:
            problems.append(_("%(what)s is missing.") % {"what": label})
    if not gateway.sign_name:
        problems.append(_("The signature is missing."))
    if gateway.provider == SmsGateway.Provider.TENCENT and not gateway.sdk_app_id:
        problems.append(_("Tencent Cloud needs the SDK AppID."))
    if not gateway.templates.exists():
        problems.append(_("No template is registered: no message can be sent."))
    if not gateway.use_tls and not settings.DEBUG:
        problems.append(_("The connection to the provider is not encrypted (HTTPS is off)."))
    return problems


def wechat_account_problems(account: WechatAccount) -> list[str]:
    problems = []
    if not account.app_secret.readable:
        problems.append(_("The AppSecret cannot be read: enter it again."))
    elif not account.app_secret:
        problems.append(_("The AppSecret is missing."))
    if not account.templates.exists():
        problems.append(_("No template is registered: no message can be sent."))
    if account.last_check_ok is False:
        problems.append(
            _("WeChat refused the last check: %(error)s") % {"error": account.last_check_error}
        )
    return problems


def gateway_config(gateway: SmsGateway) -> SmsGatewayConfig:
    templates = {
        t.event: SmsTemplateRef(t.template_code, tuple(tuple(p) for p in t.params or []))
        for t in gateway.templates.all()
    }
    return SmsGatewayConfig(
        provider=gateway.provider,
        access_key_id=gateway.access_key_id,
        access_key_secret=gateway.access_key_secret,
        sign_name=gateway.sign_name,
        endpoint=gateway.endpoint,
        scheme="https" if gateway.use_tls else "http",
        region=gateway.region,
        sdk_app_id=gateway.sdk_app_id,
        timeout=float(getattr(settings, "SMS_HTTP_TIMEOUT", 10)),
        limits=RateLimits(gateway.per_minute, gateway.per_hour, gateway.per_day),
        templates=templates,
    )


def sms_gateway_for_company(company_id: int | None) -> SmsGateway | None:
    gateways = SmsGateway.objects.filter(enabled=True)
    if company_id is not None:
        return gateways.filter(company_id=company_id).first()
    only = list(gateways[:2])
    return only[0] if len(only) == 1 else None


class SmsSource:
    def for_message(self, message):
        company_id = _company_of(message)
        if company_id is None and message.recipient_user_id is not None:
            company_id = _user_company(message.recipient_user)
        gateway = sms_gateway_for_company(company_id)
        if gateway is None and company_id is not None:
            gateway = sms_gateway_for_company(None)
        if gateway is None:
            return None
        return GATEWAYS[gateway.provider](gateway_config(gateway))

    def deploy_problems(self) -> tuple[bool, list[str]]:
        return _deploy_problems(SmsGateway, sms_gateway_problems)


def _user_company(user) -> int | None:
    account = wechat_account_for_user(user)
    if account is not None:
        return account.company_id
    from propdesk.estates import owner_access

    community_ids = [right.community_id for right in owner_access.house_rights(user)]
    return (
        Community.objects.filter(id__in=community_ids)
        .order_by("company_id")
        .values_list("company_id", flat=True)
        .first()
    )


class WechatSource:
    def for_message(self, message):
        company_id = _company_of(message)
        accounts = WechatAccount.objects.filter(enabled=True)
        if company_id is not None:
            account = accounts.filter(company_id=company_id).first()
        else:
            app_ids = WechatLink.objects.filter(openid=message.recipient).values("app_id")
            account = accounts.filter(app_id__in=app_ids).first()
        if account is None:
            return None
        return wechat_client(account)

    def deploy_problems(self) -> tuple[bool, list[str]]:
        return _deploy_problems(WechatAccount, wechat_account_problems)


def _deploy_problems(model, problems_of) -> tuple[bool, list[str]]:
    """(a company has a working provider, each in-use provider's problems)."""
    try:
        rows = list(model.objects.filter(enabled=True).select_related("company"))
        found = [(row, problems_of(row)) for row in rows]
    except Exception:  # noqa: BLE001 — no database yet, or not migrated (a check before `migrate`)
        return False, []
    working = any(not problems for _row, problems in found)
    listed = [f"{row.company}: {p}" for row, problems in found for p in problems]
    return working, listed


def register() -> None:
    provider_source_register("sms", SmsSource())
    provider_source_register("wechat", WechatSource())
