"""The receipt of an online payment names the channel and the provider, and no cashier: the
owner paid, nobody at the desk took the money."""

import subprocess

import pytest
from django.utils import translation

from propdesk.billing.models import Receipt
from propdesk.billing.services.receipts import receipt_print
from propdesk.portal.payments.sandbox import SandboxProvider
from propdesk.portal.services.payments import payment_callback_handle, payment_order_create

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_an_online_receipt_names_the_channel_and_no_cashier(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    headers, body = SandboxProvider().signed_callback(
        order_number=order.number, amount_fen=order.amount_fen, transaction_id="SBX0100"
    )
    payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    # In the owner's language whatever an earlier test in this process left active.
    with translation.override("zh-hans"):
        text = pdf_text(receipt_print(actor=world.zhang, receipt=Receipt.objects.get()))
    assert "线上支付 · 沙箱支付" in text
    assert "收费员" not in text and "收款人" not in text and "其他" not in text
    assert "开票人 线上支付自动开具" in text
    assert "缴款人 张三" in text
    assert "合计（大写） 人民币" in text and "Total in words" not in text
