"""The sandbox is impossible unless a development site switches it on; a provider that is not
available is neither offered to owners nor accepted on the callback path; the deployment check
fails while the sandbox is on or no real provider is configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from propdesk.billing.models import Payment
from propdesk.portal.checks import payment_provider_is_real
from propdesk.portal.models import PaymentOrder
from propdesk.portal.payments import (
    PaymentsUnavailable,
    available_providers,
    current_provider,
    provider_named,
    real_provider_configured,
)
from propdesk.portal.payments.sandbox import SandboxProvider
from propdesk.portal.services.payments import payment_callback_handle, payment_order_create
from propdesk.portal.tests.conftest import portal_client

ROOT = Path(__file__).resolve().parents[3]
STANDIN = "propdesk.portal.tests.standin_provider.StandInProvider"
UNCONFIGURED = "propdesk.portal.tests.standin_provider.UnconfiguredProvider"


@pytest.fixture
def no_sandbox(settings):
    settings.PORTAL_PAYMENT_SANDBOX = False
    settings.PORTAL_PAYMENT_PROVIDER = "sandbox"
    return settings


def _ids(settings_obj=None):
    return [error.id for error in payment_provider_is_real()]


def test_production_settings_refuse_to_start_with_the_sandbox(tmp_path):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        PORTAL_PAYMENT_SANDBOX="1",
        PROPDESK_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "PORTAL_PAYMENT_SANDBOX" in result.stderr


def test_production_settings_leave_the_sandbox_off():
    import propdesk.settings as production

    # The test run has DEBUG=1 (development): the sandbox follows DEBUG unless set.
    assert production.PORTAL_PAYMENT_SANDBOX is production.DEBUG


@pytest.mark.django_db  # WeChat Pay and Alipay read their stored credentials
def test_without_the_setting_the_sandbox_is_no_provider(no_sandbox):
    assert provider_named("sandbox") is None
    assert available_providers() == []
    with pytest.raises(PaymentsUnavailable) as error:
        current_provider()
    assert (error.value.code, error.value.status) == ("payments_unavailable", 409)


@pytest.mark.django_db
def test_without_the_sandbox_an_owner_cannot_start_a_payment(world, no_sandbox):
    with pytest.raises(PaymentsUnavailable):
        payment_order_create(actor=world.zhang, house_id=world.house.pk)
    assert not PaymentOrder.objects.exists()
    client = portal_client(world.zhang)
    page = client.get("/m/bills/").content.decode()
    assert 'data-testid="pay-form"' not in page
    assert 'data-testid="pay-offline"' in page
    response = client.post("/m/bills/pay/", {"house": world.house.pk}, follow=True)
    assert not PaymentOrder.objects.exists()
    assert "物业服务中心缴费" in response.content.decode()
    api = client.post(
        "/api/portal/payments/orders",
        {"house_id": world.house.pk},
        content_type="application/json",
    )
    assert (api.status_code, api.json()["code"]) == (409, "payments_unavailable")


@pytest.mark.django_db
def test_without_the_sandbox_its_pay_page_and_callback_are_gone(world, settings):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)  # sandbox on
    settings.PORTAL_PAYMENT_SANDBOX = False
    client = portal_client(world.zhang)
    assert client.get(f"/m/pay/sandbox/{order.number}/").status_code == 404
    assert client.post(f"/m/pay/sandbox/{order.number}/", {"outcome": "pay"}).status_code == 404
    headers, body = SandboxProvider().signed_callback(
        order_number=order.number, amount_fen=order.amount_fen
    )
    from propdesk.portal.payments import CallbackRejected

    with pytest.raises(CallbackRejected) as error:
        payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    assert error.value.code == "unknown_provider"
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    response = client.post(
        "/api/portal/payments/callback/sandbox", body, content_type="application/json", **extra
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()
    order.refresh_from_db()
    assert order.status == "pending"


@pytest.mark.django_db  # WeChat Pay and Alipay read their stored credentials
def test_the_check_fails_while_the_sandbox_is_on(settings):
    settings.PORTAL_PAYMENT_SANDBOX = True
    settings.PORTAL_PAYMENT_PROVIDER = "sandbox"
    assert _ids() == ["propdesk.E010", "propdesk.E011"]


@pytest.mark.django_db  # WeChat Pay and Alipay read their stored credentials
def test_the_check_fails_without_a_real_provider(no_sandbox):
    no_sandbox.PORTAL_PAYMENT_PROVIDER = ""
    assert _ids() == ["propdesk.E011"]


@pytest.mark.django_db  # WeChat Pay and Alipay read their stored credentials
def test_the_check_asks_the_registry_whether_the_provider_is_configured(no_sandbox):
    no_sandbox.PORTAL_PAYMENT_PROVIDER_CLASSES = [UNCONFIGURED]
    no_sandbox.PORTAL_PAYMENT_PROVIDER = "unconfigured"
    assert not real_provider_configured()
    assert _ids() == ["propdesk.E011"]


@pytest.mark.django_db  # WeChat Pay and Alipay read their stored credentials
def test_the_check_passes_with_a_configured_real_provider(no_sandbox):
    no_sandbox.PORTAL_PAYMENT_PROVIDER_CLASSES = [STANDIN]
    no_sandbox.PORTAL_PAYMENT_PROVIDER = "standin"
    assert real_provider_configured()
    assert [p.name for p in available_providers()] == ["standin"]
    assert _ids() == []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "label"), [("wechat", "微信支付"), ("alipay", "支付宝")])
def test_a_real_provider_without_credentials_names_itself_and_is_not_offered(
    community_a, name, label
):
    from django.utils import translation

    from propdesk.portal import error_codes
    from propdesk.portal.payments import registry
    from propdesk.portal.payments.base import ProviderError

    assert provider_named(name, community_a.company_id) is None
    provider = registry()[name](company_id=community_a.company_id)
    assert not provider.is_available()
    with translation.override("zh-hans"), pytest.raises(ProviderError) as refusal:
        provider.create_order(order_number="PO-1", amount_fen=100, description="物业费")
    assert refusal.value.code == error_codes.PROVIDER_NOT_CONFIGURED
    assert str(refusal.value) == f"本公司尚未配置{label}。"
