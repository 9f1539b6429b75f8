"""The message providers page (/notices/providers/): each company's SMS gateway and WeChat
service account, for administrators (Perm.MESSAGE_PROVIDERS). Secrets are entered, never shown:
the forms render secret fields empty and the page says only whether one is stored."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core import errors
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.models import Company
from propdesk.notices.forms import SmsGatewayForm, WechatAccountForm
from propdesk.notices.models import SmsGateway, WechatAccount
from propdesk.notices.providers import sms_gateway_problems, wechat_account_problems
from propdesk.notices.services import providers as services


def _sms_initial(gateway: SmsGateway | None) -> dict:
    if gateway is None:
        return {}
    rows = gateway.templates.values_list("event", "template_code", "params")
    return {
        "provider": gateway.provider,
        "sign_name": gateway.sign_name,
        "sdk_app_id": gateway.sdk_app_id,
        "region": gateway.region,
        "endpoint": gateway.endpoint,
        "use_tls": gateway.use_tls,
        "per_minute": gateway.per_minute,
        "per_hour": gateway.per_hour,
        "per_day": gateway.per_day,
        "enabled": gateway.enabled,
        "templates": services.templates_text(rows),
    }


def _wechat_initial(account: WechatAccount | None) -> dict:
    if account is None:
        return {}
    rows = account.templates.values_list("event", "template_id", "fields")
    return {
        "app_id": account.app_id,
        "api_base": account.api_base,
        "oauth_base": account.oauth_base,
        "portal_url": account.portal_url,
        "enabled": account.enabled,
        "templates": services.templates_text(rows),
    }


def _receipt_url(request, gateway: SmsGateway, token: str) -> str:
    return request.build_absolute_uri(
        reverse("notices_sms_receipt", args=[gateway.provider, gateway.id, token])
    )


@console_view
def provider_list(request):
    require(request.user, Perm.MESSAGE_PROVIDERS)
    companies = []
    for company in Company.objects.order_by("id"):
        gateway = SmsGateway.objects.filter(company=company).first()
        account = WechatAccount.objects.filter(company=company).first()
        companies.append(
            {
                "company": company,
                "gateway": gateway,
                "sms_problems": sms_gateway_problems(gateway) if gateway else [],
                "account": account,
                "wechat_problems": wechat_account_problems(account) if account else [],
            }
        )
    return render_page(request, "notices/pages/provider_list.html", None, {"companies": companies})


def _company(company_id: int) -> Company:
    return get_object_or_404(Company, id=company_id)


@console_view
def sms_gateway_edit(request, company_id: int):
    require(request.user, Perm.MESSAGE_PROVIDERS)
    company = _company(company_id)
    gateway = SmsGateway.objects.filter(company=company).first()
    form = SmsGatewayForm(request.POST or None, initial=_sms_initial(gateway))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.sms_gateway_save(
                actor=request.user, company=company, **form.cleaned_data
            )
        except errors.AppError as exc:
            form_error(form, exc)
        else:
            if gateway is None:
                messages.success(
                    request,
                    _("Saved. Give the provider this receipt address (shown only now): %(url)s")
                    % {"url": _receipt_url(request, saved, saved.receipt_token.reveal())},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("notices_provider_list")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "company": company,
        "gateway": gateway,
        "kind": "sms",
        "has_secret": bool(gateway and gateway.access_key_secret),
    }
    return render_page(request, "notices/pages/provider_form.html", None, context, status=status)


@require_POST
@console_view
def sms_receipt_renew(request, company_id: int):
    require(request.user, Perm.MESSAGE_PROVIDERS)
    gateway = get_object_or_404(SmsGateway, company_id=company_id)
    token = services.sms_receipt_token_renew(actor=request.user, gateway=gateway)
    messages.success(
        request,
        _("New receipt address (shown only now; the old one stops working): %(url)s")
        % {"url": _receipt_url(request, gateway, token)},
    )
    return redirect("notices_provider_list")


@console_view
def wechat_account_edit(request, company_id: int):
    require(request.user, Perm.MESSAGE_PROVIDERS)
    company = _company(company_id)
    account = WechatAccount.objects.filter(company=company).first()
    form = WechatAccountForm(request.POST or None, initial=_wechat_initial(account))
    if request.method == "POST" and form.is_valid():
        try:
            services.wechat_account_save(actor=request.user, company=company, **form.cleaned_data)
        except errors.AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("notices_provider_list")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "company": company,
        "account": account,
        "kind": "wechat",
        "has_secret": bool(account and account.app_secret),
    }
    return render_page(request, "notices/pages/provider_form.html", None, context, status=status)


@require_POST
@console_view
def wechat_account_check(request, company_id: int):
    require(request.user, Perm.MESSAGE_PROVIDERS)
    account = get_object_or_404(WechatAccount, company_id=company_id)
    if services.wechat_account_check(actor=request.user, account=account):
        messages.success(request, _("WeChat accepted the AppID and AppSecret."))
    else:
        messages.error(
            request, _("WeChat refused: %(error)s") % {"error": account.last_check_error}
        )
    return redirect("notices_provider_list")
