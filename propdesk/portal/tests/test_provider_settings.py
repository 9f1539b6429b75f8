"""The payment providers' credentials: entered by an administrator only, checked, stored
encrypted with the dedicated key, never shown again nor logged; a missing or unusable
configuration is a clear error on the page and in `check --deploy`, and owners are not offered
a provider that is not configured."""

import logging

import pytest
from django.test import Client

from propdesk.core.models import AuditEvent
from propdesk.portal.checks import payment_credentials_usable
from propdesk.portal.models import PaymentCredential
from propdesk.portal.payments import available_providers, provider_named, vault
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.tests.conftest import portal_client, post_notification

pytestmark = pytest.mark.django_db
PAGE = "/m/staff/payments/providers/"


def _staff(world, role):
    client = Client()
    client.force_login(world.personas[role])
    return client


def _post(client, world, provider, values, action="save"):
    return client.post(
        PAGE,
        {"company": world.community.company_id, "provider": provider, "action": action, **values},
    )


def _secrets(values: dict) -> list[str]:
    """Every secret value and each line of the PEM bodies (a key could leak in pieces)."""
    found = []
    for name, value in values.items():
        if name in ("mchid", "appid", "merchant_serial", "app_id"):
            continue
        found.append(value)
        found.extend(line for line in value.splitlines() if len(line) > 20 and "-----" not in line)
    return found


def test_an_administrator_saves_wechat_pay_and_it_is_never_shown_again(
    world, wechat_server, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    values = wechat_server.reset().credentials()
    client = _staff(world, "admin")
    response = _post(client, world, "wechat", values)
    assert response.status_code == 302
    row = PaymentCredential.objects.get(provider="wechat")
    assert row.lookup == wechat_server.platform_serial
    assert row.summary["merchant"] == "19******91"
    assert vault.unseal(row.secret)["apiv3_key"] == values["apiv3_key"]
    page = client.get(PAGE).content.decode()
    assert "已配置" in page and wechat_server.platform_serial in page
    history = AuditEvent.objects.filter(action="payment_credentials_saved").get()
    stored_text = row.secret + str(row.summary) + str(history.__dict__)
    for secret in _secrets(values):
        assert secret not in page
        assert secret not in stored_text  # encrypted at rest, never in the history
        assert secret not in caplog.text
    assert values["mchid"] not in page


def test_secrets_left_blank_keep_the_stored_ones(world, wechat_server):
    values = wechat_server.reset().credentials()
    client = _staff(world, "admin")
    assert _post(client, world, "wechat", values).status_code == 302
    changed = {**values, "private_key": "", "apiv3_key": "", "platform_certificate": ""}
    assert _post(client, world, "wechat", changed).status_code == 302
    stored = vault.unseal(PaymentCredential.objects.get().secret)
    assert stored["apiv3_key"] == values["apiv3_key"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mchid", "", "必填"),
        ("mchid", "12ab", "商户号为 8 至 12 位数字"),
        ("appid", "<script>alert(1)</script>", "AppID"),
        ("private_key", "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----", "PEM 私钥"),
        ("apiv3_key", "short", "32 位"),
        ("apiv3_key", "a\x00" * 16, "无效"),
        ("platform_certificate", "' OR 1=1 --", "PEM 证书"),
        ("platform_certificate", "x" * 20000, "无效"),
    ],
)
def test_wrong_values_are_a_clear_error_naming_the_field(
    world, wechat_server, field, value, message
):
    values = {**wechat_server.reset().credentials(), field: value}
    response = _post(_staff(world, "admin"), world, "wechat", values)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "is-invalid" in page
    assert not PaymentCredential.objects.exists()
    for secret in _secrets(wechat_server.credentials()):
        assert secret not in page


def test_alipay_keys_are_checked(world, alipay_server):
    values = alipay_server.reset().credentials()
    client = _staff(world, "admin")
    bad = _post(client, world, "alipay", {**values, "alipay_public_key": "MIIBIjANBgkq"})
    assert bad.status_code == 400 and "PEM 公钥" in bad.content.decode()
    # Alipay's console shows the bare base64 of its public key: accepted as it is pasted.
    bare = "".join(values["alipay_public_key"].splitlines()[1:-1])
    assert _post(client, world, "alipay", {**values, "alipay_public_key": bare}).status_code == 302
    assert provider_named("alipay", world.community.company_id) is not None


@pytest.mark.parametrize("role", ["agent", "supervisor", "technician", "cashier", "guard"])
def test_only_an_administrator_may_see_or_change_credentials(world, wechat_server, role):
    client = _staff(world, role)
    assert client.get(PAGE).status_code == 403
    response = _post(client, world, "wechat", wechat_server.reset().credentials())
    assert response.status_code == 403
    assert not PaymentCredential.objects.exists()


def test_an_owner_is_sent_away(world, wechat_server):
    client = portal_client(world.zhang)
    assert client.get(PAGE).status_code in (302, 403)
    _post(client, world, "wechat", wechat_server.reset().credentials())
    assert not PaymentCredential.objects.exists()


def test_another_companys_id_is_404(world, wechat_server):
    from propdesk.estates.models import Company

    other = Company.objects.create(name="另一家物业")  # no community the admin works in
    response = _staff(world, "admin").post(
        PAGE,
        {
            "company": other.pk,
            "provider": "wechat",
            "action": "save",
            **wechat_server.reset().credentials(),
        },
    )
    assert response.status_code == 404 and not PaymentCredential.objects.exists()
    for company in ("abc", "", "\x00", "99999999999999999999"):
        response = _staff(world, "admin").post(PAGE, {"company": company, "provider": "wechat"})
        assert response.status_code in (400, 404)
    response = _staff(world, "admin").post(
        PAGE, {"company": world.community.company_id, "provider": "paypal"}
    )
    assert response.status_code == 400


def test_credentials_sealed_with_another_key_are_unusable_and_named(world, wechat, settings):
    assert provider_named("wechat", world.community.company_id) is not None
    assert payment_credentials_usable() == []
    from cryptography.fernet import Fernet

    # SECRETS_KEYS rotated without keeping the old key: the stored credentials no longer open.
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]
    assert provider_named("wechat", world.community.company_id) is None
    assert [p.name for p in available_providers(world.community.company_id)] == ["sandbox"]
    errors = payment_credentials_usable()
    assert [e.id for e in errors] == ["propdesk.E013"]
    assert "wechat" in errors[0].msg and "decrypted" in errors[0].msg
    page = _staff(world, "admin").get(PAGE).content.decode()
    assert "无法用服务器当前配置的密钥解密" in page and "不可用" in page


def test_the_portal_offers_only_configured_providers(world, wechat_server, settings):
    settings.PORTAL_PAYMENT_SANDBOX = False
    client = portal_client(world.zhang)
    page = client.get("/m/bills/").content.decode()
    assert 'data-testid="pay-offline"' in page and 'name="provider"' not in page
    _post(_staff(world, "admin"), world, "wechat", wechat_server.reset().credentials())
    settings.PORTAL_WECHATPAY_API_BASE = wechat_server.base_url
    page = client.get("/m/bills/").content.decode()
    assert 'value="wechat"' in page and 'value="alipay"' not in page
    assert 'data-testid="pay-offline"' not in page


def test_credentials_never_reach_logs_or_answers_on_the_whole_path(world, wechat, caplog):
    """Order, notification (good and forged), query, refund: scan every log line and answer."""
    from propdesk.billing.models import LedgerAdjustment
    from propdesk.portal.services.refunds import refund_send

    caplog.set_level(logging.DEBUG)
    secrets = _secrets(wechat.credentials())
    answers = []
    client = portal_client(world.zhang)
    answers.append(client.post("/m/bills/pay/", {"house": world.house.pk, "provider": "wechat"}))
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="wechat")
    answers.append(client.get(order.pay_url))
    answers.append(client.post(order.pay_url))
    answers.append(
        post_notification(Client(), "wechat", wechat.notification(order.number, forged=True))
    )
    answers.append(post_notification(Client(), "wechat", wechat.pay(order.number)))
    answers.append(client.get(f"/m/bills/orders/{order.pk}/"))
    answers.append(client.get(f"/api/portal/payments/orders/{order.pk}"))
    order.refresh_from_db()
    refund_send(
        actor=world.personas["supervisor"],
        order=order,
        amount_fen=100,
        reason="测试",
        key="LOGSCAN0001",
    )
    wechat.fail_next.append((500, {"code": "SYSTEM_ERROR", "message": "系统错误"}))
    answers.append(client.post("/m/bills/pay/", {"house": world.house.pk, "provider": "wechat"}))
    answers.append(_staff(world, "admin").get(PAGE))
    assert LedgerAdjustment.objects.count() == 0
    text = caplog.text + "".join(a.content.decode("utf-8", "replace") for a in answers)
    for response in answers:
        text += " ".join(f"{k}: {v}" for k, v in response.items())
    for secret in secrets:
        assert secret not in text
