"""Alipay (支付宝开放平台, RSA2): page and wap pay, query, refund, the trade bill, and the
asynchronous notification.

The protocol, as Alipay documents it:
- every request is the common parameters (app_id, method, format, charset, sign_type=RSA2,
  timestamp, version, notify_url, biz_content as JSON) signed with the app's private key:
  RSA-SHA256 (PKCS#1 v1.5) over the parameters but `sign`, sorted by name, joined
  "name=value&…" with the raw values, base64 in `sign`;
- page/wap pay is a redirect of the owner's browser to the gateway with those parameters; the
  other calls are POSTed and answered `{"<method>_response": {...}, "sign": "..."}`, the
  signature (with Alipay's public key) being over the exact text of the response object;
- the asynchronous notification is a form POST signed the same way over its parameters but
  `sign` and `sign_type`; the merchant answers the text "success".

Credentials come per company from `payments.credentials`; the gateway address is
`PORTAL_ALIPAY_GATEWAY` (a loopback stand-in in the tests).
"""

import base64
import csv
import datetime
import io
import json
import logging
import re
import urllib.parse
import zipfile
from decimal import Decimal, InvalidOperation

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.portal import error_codes
from propdesk.portal.payments import credentials
from propdesk.portal.payments.base import (
    CallbackData,
    CallbackRejected,
    MerchantProvider,
    ProviderError,
    ProviderOrder,
    ProviderTrade,
    RefundResult,
)

logger = logging.getLogger("propdesk.payments")
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
PAID_STATES = ("TRADE_SUCCESS", "TRADE_FINISHED")


def sign_text(params: dict, *, skip=("sign",)) -> str:
    """The text Alipay signs: parameters but `skip`, sorted by name, name=value joined by &."""
    return "&".join(
        f"{key}={params[key]}"
        for key in sorted(params)
        if key not in skip and params[key] not in (None, "")
    )


def rsa2_sign(private_key, text: str) -> str:
    return base64.b64encode(
        private_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def rsa2_verify(public_key, text: str, signature: str) -> bool:
    try:
        public_key.verify(
            base64.b64decode(signature, validate=True),
            text.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fen(text) -> int:
    text = str(text or "").strip()
    if not AMOUNT_RE.match(text):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def beijing(at: datetime.datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def response_object_text(raw: str, key: str) -> str:
    """The exact text of `"key": {...}` in an Alipay answer (what its signature covers)."""
    start = raw.find(f'"{key}"')
    if start < 0:
        raise ValueError("no response object")
    start = raw.index("{", raw.index(":", start))
    depth = 0
    in_string = False
    escaped = False
    for index in range(start, len(raw)):
        char = raw[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return raw[start : index + 1]
    raise ValueError("unterminated response object")


class AlipayProvider(MerchantProvider):
    name = "alipay"
    payment_method = "alipay"
    channels = ("page", "wap")
    can_query = True

    @property
    def label(self) -> str:
        return _("Alipay")

    def _params(self, method: str, biz: dict, **extra) -> dict:
        values = self._values()
        params = {
            "app_id": values["app_id"],
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": beijing(datetime.datetime.now(datetime.UTC)),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        key = credentials.private_key(values["app_private_key"], "app_private_key")
        params["sign"] = rsa2_sign(key, sign_text(params))
        return params

    def _call(self, method: str, biz: dict, *, ok_codes=("10000",)) -> dict | None:
        values = self._values()
        params = self._params(method, biz)
        try:
            answer = requests.post(
                settings.PORTAL_ALIPAY_GATEWAY,
                data=params,
                timeout=settings.PORTAL_PAYMENT_HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            logger.warning("alipay unreachable: %s", method)
            raise ProviderError(
                _("Alipay cannot be reached. Try again in a minute."),
                code=error_codes.PROVIDER_UNREACHABLE,
            ) from exc
        raw = answer.content.decode("utf-8", "replace")
        key = method.replace(".", "_") + "_response"
        try:
            body = json.loads(raw)
            text = response_object_text(raw, key)
            data = json.loads(text)
        except ValueError as exc:
            raise ProviderError(
                _("Alipay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
            ) from exc
        public = credentials.public_key(values["alipay_public_key"], "alipay_public_key")
        if not rsa2_verify(public, text, str(body.get("sign", ""))):
            logger.warning("alipay answer with a bad signature: %s", method)
            raise ProviderError(
                _("Alipay's answer is not signed by Alipay."),
                code=error_codes.PROVIDER_BAD_SIGNATURE,
            )
        code = str(data.get("code", ""))
        if code == "40004" and data.get("sub_code") in (
            "ACQ.TRADE_NOT_EXIST",
            "isp.bill_not_exist",
        ):
            return None
        if code not in ok_codes:
            sub = str(data.get("sub_code") or code)[:60]
            logger.warning("alipay refused %s: %s", method, sub)
            raise ProviderError(
                _("Alipay refused the request (%(code)s).") % {"code": sub},
                code=error_codes.PROVIDER_REFUSED,
            )
        return data

    # --- orders -----------------------------------------------------------------------------

    def create_order(
        self,
        *,
        order_number: str,
        amount_fen: int,
        description: str,
        expires_at=None,
        channel: str = "",
        client_ip: str = "",
        openid: str = "",
        return_url: str = "",
    ) -> ProviderOrder:
        channel = channel if channel in self.channels else "page"
        biz = {
            "out_trade_no": order_number,
            "total_amount": yuan(int(amount_fen)),
            "subject": str(description)[:256],
            "product_code": "FAST_INSTANT_TRADE_PAY" if channel == "page" else "QUICK_WAP_WAY",
        }
        if expires_at is not None:
            biz["time_expire"] = beijing(expires_at)
        extra = {"notify_url": self.notify_url()}
        if return_url:
            extra["return_url"] = return_url
        method = "alipay.trade.page.pay" if channel == "page" else "alipay.trade.wap.pay"
        params = self._params(method, biz, **extra)
        url = settings.PORTAL_ALIPAY_GATEWAY + "?" + urllib.parse.urlencode(params)
        # The signed gateway address is long: the owner goes through our page, which sends the
        # browser on to it while the order can still be paid.
        return ProviderOrder(
            pay_url=reverse("portal:alipay_pay", args=[order_number]),
            pay_code=url,
            channel=channel,
        )

    def query_order(self, *, order_number: str) -> ProviderTrade | None:
        data = self._call("alipay.trade.query", {"out_trade_no": order_number})
        if data is None:
            return None
        try:
            return ProviderTrade(
                order_number=str(data.get("out_trade_no", ""))[:40],
                transaction_id=str(data.get("trade_no", ""))[:64],
                amount_fen=fen(data.get("total_amount")),
                paid=data.get("trade_status") in PAID_STATES,
                state=str(data.get("trade_status", ""))[:20],
            )
        except ValueError as exc:
            raise ProviderError(
                _("Alipay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
            ) from exc

    def close_order(self, *, order_number: str) -> None:
        self._call("alipay.trade.close", {"out_trade_no": order_number})

    def refund(
        self, *, order_number: str, refund_number: str, amount_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        data = (
            self._call(
                "alipay.trade.refund",
                {
                    "out_trade_no": order_number,
                    "refund_amount": yuan(int(amount_fen)),
                    "out_request_no": refund_number,
                    "refund_reason": str(reason)[:80],
                },
            )
            or {}
        )
        return RefundResult(
            refund_number=refund_number,
            provider_refund_id=str(data.get("trade_no", ""))[:64],
            status="succeeded",
            amount_fen=amount_fen,
        )

    def statement(self, *, day) -> list[ProviderTrade]:
        data = self._call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": day.isoformat()},
        )
        if data is None:
            return []
        url = str(data.get("bill_download_url", ""))
        gateway = urllib.parse.urlsplit(settings.PORTAL_ALIPAY_GATEWAY)
        if urllib.parse.urlsplit(url).netloc != gateway.netloc:
            raise ProviderError(
                _("Alipay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
            )
        try:
            content = requests.get(url, timeout=settings.PORTAL_PAYMENT_HTTP_TIMEOUT).content
        except requests.RequestException as exc:
            raise ProviderError(
                _("Alipay cannot be reached. Try again in a minute."),
                code=error_codes.PROVIDER_UNREACHABLE,
            ) from exc
        return parse_trade_bill_zip(content)

    # --- notifications ----------------------------------------------------------------------

    def verify_callback(self, headers, body: bytes) -> CallbackData:
        try:
            pairs = urllib.parse.parse_qsl(
                body.decode("utf-8"), keep_blank_values=True, strict_parsing=True
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackRejected(
                _("The callback's body is not readable."), code=error_codes.BAD_BODY
            ) from exc
        params = dict(pairs)
        signature = params.get("sign", "")
        if not signature or params.get("sign_type") != "RSA2" or len(pairs) != len(params):
            raise CallbackRejected(_("The callback is not signed."), code=error_codes.UNSIGNED)
        found = credentials.find(self.name, params.get("app_id", ""))
        if found is None:
            raise CallbackRejected(
                _("The callback's signature is wrong."), code=error_codes.BAD_SIGNATURE
            )
        company_id, values = found
        public = credentials.public_key(values["alipay_public_key"], "alipay_public_key")
        if not rsa2_verify(public, sign_text(params, skip=("sign", "sign_type")), signature):
            raise CallbackRejected(
                _("The callback's signature is wrong."), code=error_codes.BAD_SIGNATURE
            )
        try:
            at = datetime.datetime.strptime(
                params["notify_time"] + " +0800", "%Y-%m-%d %H:%M:%S %z"
            )
            stamp = int(at.timestamp())
            notify_id = params["notify_id"][:64]
            order_number = params["out_trade_no"][:40]
            transaction_id = params["trade_no"][:64]
            total = fen(params["total_amount"])
            if not (notify_id and order_number and transaction_id):
                raise ValueError("missing ids")
            if params.get("refund_fee") and params.get("out_biz_no"):
                refund = RefundResult(
                    refund_number=params["out_biz_no"][:64],
                    provider_refund_id=transaction_id,
                    status="succeeded",
                    amount_fen=fen(params["refund_fee"]),
                )
                return CallbackData(
                    order_number=order_number,
                    transaction_id=transaction_id,
                    amount_fen=total,
                    paid=False,
                    nonce=notify_id,
                    timestamp=stamp,
                    company_id=company_id,
                    refund=refund,
                )
        except (KeyError, ValueError) as exc:
            raise CallbackRejected(
                _("The callback's body is not readable."), code=error_codes.BAD_BODY
            ) from exc
        return CallbackData(
            order_number=order_number,
            transaction_id=transaction_id,
            amount_fen=total,
            paid=params.get("trade_status") in PAID_STATES,
            nonce=notify_id,
            timestamp=stamp,
            company_id=company_id,
        )

    def callback_answer(self, ok: bool) -> tuple[int, str, str]:
        return (200, "text/plain", "success") if ok else (400, "text/plain", "fail")


BILL_COLUMNS = ("支付宝交易号", "商户订单号", "业务类型", "订单金额（元）")


def parse_trade_bill_zip(content: bytes) -> list[ProviderTrade]:
    """The payments of an Alipay trade bill: a zip with the details CSV (GBK), comment lines
    led by '#', a header, the rows (业务类型 交易 or 退款), and a summary after '#…结束'."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = [n for n in archive.namelist() if "汇总" not in n and n.endswith(".csv")]
        text = archive.read(names[0]).decode("gbk")
    except (zipfile.BadZipFile, IndexError, KeyError, UnicodeDecodeError) as exc:
        raise ProviderError(
            _("Alipay's statement is not readable."), code=error_codes.PROVIDER_REFUSED
        ) from exc
    return parse_trade_bill(text)


def parse_trade_bill(text: str) -> list[ProviderTrade]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines))
    if not rows:
        return []
    header = [cell.strip() for cell in rows[0]]
    try:
        at_txn, at_order, at_kind, at_amount = (header.index(c) for c in BILL_COLUMNS)
    except ValueError as exc:
        raise ProviderError(
            _("Alipay's statement is not readable."), code=error_codes.PROVIDER_REFUSED
        ) from exc
    trades = []
    for row in rows[1:]:
        cells = [cell.strip().strip("\t") for cell in row]
        if len(cells) <= max(at_txn, at_order, at_kind, at_amount) or cells[at_kind] != "交易":
            continue
        trades.append(
            ProviderTrade(
                order_number=cells[at_order][:40],
                transaction_id=cells[at_txn][:64],
                amount_fen=fen(cells[at_amount]),
                paid=True,
                state="TRADE_SUCCESS",
            )
        )
    return trades
