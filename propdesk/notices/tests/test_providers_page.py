"""The message providers page: administrators only; secrets entered, never shown again."""

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from propdesk.core.checks import owner_channels_deliver, provider_settings_valid
from propdesk.core.models import AuditEvent
from propdesk.notices.models import SmsGateway, WechatAccount

pytestmark = pytest.mark.django_db

SECRET = "sk-live-7f3a9c0e5b1d"
FORM = {
    "provider": "aliyun",
    "access_key_id": "LTAI5tLiveKeyId",
    "access_key_secret": SECRET,
    "sign_name": "测试物业",
    "sdk_app_id": "",
    "region": "",
    "endpoint": "",
    "use_tls": "on",
    "per_minute": "1",
    "per_hour": "5",
    "per_day": "10",
    "enabled": "on",
    "templates": "portal.sign_in_code = SMS_100001: code=code",
}


@pytest.mark.parametrize("role", ["agent", "supervisor", "technician", "cashier", "guard"])
def test_staff_other_than_administrators_are_refused(client, personas, company, role):
    client.force_login(personas[role])
    assert client.get("/notices/providers/").status_code == 403
    assert client.get(f"/notices/providers/{company.id}/sms/").status_code == 403
    assert client.post(f"/notices/providers/{company.id}/sms/", FORM).status_code == 403
    assert client.post(f"/notices/providers/{company.id}/wechat/check/").status_code in (403, 404)
    assert not SmsGateway.objects.exists()


def test_owners_and_strangers_are_refused(client, personas, company):
    assert client.get("/notices/providers/").status_code == 302  # to the sign-in
    client.force_login(personas["owner"])
    assert client.get("/notices/providers/").status_code == 403
    assert client.post(f"/notices/providers/{company.id}/sms/", FORM).status_code == 403
    assert not SmsGateway.objects.exists()


def test_an_administrator_enters_a_gateway_and_never_sees_the_secret(
    client, admin, company, caplog
):
    client.force_login(admin)
    page = client.get("/notices/providers/")
    assert page.status_code == 200 and "配置短信" in page.content.decode()
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/notices/providers/{company.id}/sms/", FORM, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "/notices/receipts/sms/aliyun/" in body  # the receipt address, shown once
    gateway = SmsGateway.objects.get(company=company)
    assert gateway.access_key_secret.reveal() == SECRET
    edit = client.get(f"/notices/providers/{company.id}/sms/")
    pages = [body, edit.content.decode(), client.get("/notices/providers/").content.decode()]
    assert all(SECRET not in p and "LTAI5tLiveKeyId" not in p for p in pages)
    assert "已保存（加密）" in pages[2]
    assert SECRET not in caplog.text
    history = " ".join(str(e.changes) + e.note for e in AuditEvent.objects.all())
    assert SECRET not in history
    # saving again with the secret fields empty keeps the stored secret
    again = {**FORM, "access_key_id": "", "access_key_secret": "", "sign_name": "新签名"}
    assert client.post(f"/notices/providers/{company.id}/sms/", again).status_code == 302
    gateway.refresh_from_db()
    assert gateway.access_key_secret.reveal() == SECRET and gateway.sign_name == "新签名"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("templates", "request.updated SMS_1"),
        ("templates", "a = B: x"),
        ("templates", "a = B\na = C"),
        ("endpoint", "http://evil.example.com/<script>"),
        ("sign_name", ""),
        ("sign_name", "x\x00y"),
        ("access_key_secret", "a" * 300),
        ("per_minute", "-1"),
        ("provider", "twilio"),
        ("templates", "'; DROP TABLE notices_smsgateway; --"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, admin, company, field, value):
    client.force_login(admin)
    response = client.post(f"/notices/providers/{company.id}/sms/", {**FORM, field: value})
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not SmsGateway.objects.exists()


def test_a_new_gateway_needs_its_credentials(client, admin, company):
    client.force_login(admin)
    response = client.post(
        f"/notices/providers/{company.id}/sms/", {**FORM, "access_key_secret": ""}
    )
    assert response.status_code == 400
    assert not SmsGateway.objects.exists()


def test_another_companys_id_is_a_404(client, admin):
    client.force_login(admin)
    assert client.get("/notices/providers/99999/sms/").status_code == 404
    assert client.post("/notices/providers/99999/sms/receipt-address/").status_code == 404


def test_an_administrator_enters_a_wechat_account_and_checks_it(
    client, admin, company, wechat_standin
):
    client.force_login(admin)
    form = {
        "app_id": wechat_standin.app_id,
        "app_secret": "wrong-secret",
        "api_base": wechat_standin.base_url,
        "oauth_base": wechat_standin.base_url,
        "portal_url": "https://propdesk.example.com/m/",
        "enabled": "on",
        "templates": "request.updated = TPL-REQUEST: thing1=number, thing2=status",
    }
    assert client.post(f"/notices/providers/{company.id}/wechat/", form).status_code == 302
    checked = client.post(f"/notices/providers/{company.id}/wechat/check/", follow=True)
    assert "微信拒绝" in checked.content.decode()
    assert "wrong-secret" not in checked.content.decode()
    assert "propdesk.E004" in [e.id for e in provider_settings_valid()]
    form["app_secret"] = wechat_standin.app_secret
    assert client.post(f"/notices/providers/{company.id}/wechat/", form).status_code == 302
    checked = client.post(f"/notices/providers/{company.id}/wechat/check/", follow=True)
    assert "微信已确认" in checked.content.decode()
    assert WechatAccount.objects.get().last_check_ok is True
    assert wechat_standin.app_secret not in checked.content.decode()
    assert provider_settings_valid() == []


def test_the_deploy_check_passes_with_a_configured_gateway(settings, admin, company):
    from propdesk.notices.services.providers import sms_gateway_save

    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "log"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert [e.id for e in owner_channels_deliver()] == ["propdesk.E001"]
    fields = {k: v for k, v in FORM.items() if k not in ("use_tls", "enabled")}
    gateway = sms_gateway_save(actor=admin, company=company, **fields)
    assert owner_channels_deliver() == [] and provider_settings_valid() == []
    # a secret no key opens: E001 again, and E003 says what to do
    from django.db import connection

    with connection.cursor() as cursor:  # as if written under a key that is gone
        cursor.execute(
            "UPDATE notices_smsgateway SET access_key_secret = %s WHERE id = %s",
            ["gAAAAAbroken", gateway.id],
        )
    assert [e.id for e in owner_channels_deliver()] == ["propdesk.E001"]
    errors = provider_settings_valid()
    assert [e.id for e in errors] == ["propdesk.E003"]
    assert "重新填写" in errors[0].msg or "enter it again" in errors[0].msg
    page_problems = SmsGateway.objects.get(id=gateway.id)
    assert not page_problems.access_key_secret.readable
    with pytest.raises(SystemCheckError):
        call_command("check", "--deploy", "--fail-level", "ERROR")
