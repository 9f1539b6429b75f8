"""WeChat Pay API v3 (微信支付 APIv3): Native (QR code), H5 and JSAPI orders, query, close,
refunds, the trade bill, and the payment and refund notifications.

The protocol, as WeChat Pay documents it:
- every request carries `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
  signature="…",timestamp="…",serial_no="…"`, the signature being RSA-SHA256 (PKCS#1 v1.5) with
  the merchant's API private key over "METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n" (URL = path and
  query);
- answers and notifications are signed by WeChat Pay with the platform certificate's key over
  "timestamp\\nnonce\\nbody\\n", in the headers Wechatpay-Timestamp, -Nonce, -Signature and
  -Serial (the certificate's serial); this adapter verifies both, and refuses a notification more
  than 5 minutes from now;
- a notification's `resource` is AES-256-GCM with the API v3 key, its nonce and
  associated_data; the plain text is the transaction (or refund) as JSON.

Credentials come per company from `payments.credentials` (decrypted for the request only).
The API address is `PORTAL_WECHATPAY_API_BASE` (a loopback stand-in in the tests).
"""

import base64
import contextlib
import csv
import datetime
import io
import json
import logging
import secrets
import time
import urllib.parse
from decimal import Decimal, InvalidOperation

import requests
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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
AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"


def sign_message(private_key, message: str) -> str:
    signature = private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def verify_message(public_key, message: bytes, signature: str) -> bool:
    try:
        public_key.verify(
            base64.b64decode(signature, validate=True),
            message,
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def request_message(method: str, url: str, stamp: str, nonce: str, body: str) -> str:
    """What a request's signature covers: five lines, each ended by \\n (an empty body too)."""
    return f"{method}\n{url}\n{stamp}\n{nonce}\n{body}\n"


def response_message(stamp: str, nonce: str, body: bytes) -> bytes:
    """What WeChat Pay's signature of an answer or a notification covers: three lines."""
    return f"{stamp}\n{nonce}\n".encode() + body + b"\n"


def jsapi_message(appid: str, stamp: str, nonce: str, package: str) -> str:
    """What the paySign handed to WeixinJSBridge covers: four lines."""
    return f"{appid}\n{stamp}\n{nonce}\n{package}\n"


def authorization(*, mchid, serial, private_key, method, url, body, timestamp=None, nonce=None):
    """The Authorization header of one request (url = path with query)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16).upper()
    signature = sign_message(private_key, request_message(method, url, stamp, nonce, body))
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{stamp}",serial_no="{serial}"'
    )


def decrypt_text(key: str, nonce: str, associated_data: str, ciphertext: str) -> bytes:
    """AEAD_AES_256_GCM as WeChat Pay uses it: the key's and nonce's UTF-8 bytes, the base64
    ciphertext ending in its 16-byte tag, the associated data authenticated with it."""
    return AESGCM(key.encode()).decrypt(
        nonce.encode(), base64.b64decode(ciphertext, validate=True), associated_data.encode()
    )


def decrypt_resource(apiv3_key: str, resource: dict) -> dict:
    """The plain JSON of a notification's AES-256-GCM resource; ValueError when it fails."""
    try:
        plain = decrypt_text(
            apiv3_key,
            str(resource["nonce"]),
            str(resource.get("associated_data") or ""),
            resource["ciphertext"],
        )
        data = json.loads(plain)
    except (InvalidTag, KeyError, TypeError, ValueError) as exc:
        raise ValueError("resource does not decrypt") from exc
    if not isinstance(data, dict):
        raise ValueError("resource is not an object")
    return data


def expire_text(at: datetime.datetime) -> str:
    """RFC 3339 in Beijing time, as time_expire asks: 2026-12-06T20:30:00+08:00."""
    return at.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def _fen(value) -> int:
    """Fen from a bill's yuan text ("¥88.80", "88.80")."""
    text = str(value or "").strip().lstrip("`").replace("¥", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return int((amount * 100).to_integral_value())


class WeChatPayProvider(MerchantProvider):
    name = "wechat"
    payment_method = "wechat"
    channels = ("native", "h5", "jsapi")
    can_query = True

    @property
    def label(self) -> str:
        return _("WeChat Pay")

    # --- requests ---------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, payload: dict | None = None, *, raw=False, empty_codes=()
    ):
        values = self._values()
        key = credentials.private_key(values["private_key"], "private_key")
        body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        base = settings.PORTAL_WECHATPAY_API_BASE
        url_path = urllib.parse.urlsplit(base).path.rstrip("/") + path
        headers = {
            "Authorization": authorization(
                mchid=values["mchid"],
                serial=values["merchant_serial"],
                private_key=key,
                method=method,
                url=url_path,
                body=body,
            ),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "propdesk",
        }
        try:
            answer = requests.request(
                method,
                base + path,
                data=body.encode() if body else None,
                headers=headers,
                timeout=settings.PORTAL_PAYMENT_HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            logger.warning("wechat pay unreachable: %s %s", method, path.split("?")[0])
            raise ProviderError(
                _("WeChat Pay cannot be reached. Try again in a minute."),
                code=error_codes.PROVIDER_UNREACHABLE,
            ) from exc
        self._verify_answer(values, answer)
        if answer.status_code == 404:
            return None
        if answer.status_code >= 300:
            code = ""
            with contextlib.suppress(ValueError, AttributeError):
                code = str(answer.json().get("code", ""))[:40]
            if code and code in empty_codes:
                return None
            logger.warning(
                "wechat pay refused %s %s: %s %s",
                method,
                path.split("?")[0],
                answer.status_code,
                code,
            )
            raise ProviderError(
                _("WeChat Pay refused the request (%(code)s).")
                % {"code": code or answer.status_code},
                code=error_codes.PROVIDER_REFUSED,
            )
        if raw:
            return answer.content
        if not answer.content:
            return {}
        try:
            return answer.json()
        except ValueError as exc:
            raise ProviderError(
                _("WeChat Pay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
            ) from exc

    def _verify_answer(self, values: dict, answer) -> None:
        """WeChat Pay signs its answers like its notifications: check before trusting one."""
        cert = credentials.certificate(values["platform_certificate"], "platform_certificate")
        serial = answer.headers.get("Wechatpay-Serial", "")
        stamp = answer.headers.get("Wechatpay-Timestamp", "")
        nonce = answer.headers.get("Wechatpay-Nonce", "")
        signature = answer.headers.get("Wechatpay-Signature", "")
        message = response_message(stamp, nonce, answer.content)
        if not (
            serial == credentials.certificate_serial(cert)
            and stamp.isdigit()
            and verify_message(cert.public_key(), message, signature)
        ):
            logger.warning("wechat pay answer with a bad signature (status %s)", answer.status_code)
            raise ProviderError(
                _("WeChat Pay's answer is not signed by WeChat Pay."),
                code=error_codes.PROVIDER_BAD_SIGNATURE,
            )

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
        values = self._values()
        channel = channel if channel in self.channels else "native"
        payload = {
            "appid": values["appid"],
            "mchid": values["mchid"],
            "description": str(description)[:127],
            "out_trade_no": order_number,
            "notify_url": self.notify_url(),
            "amount": {"total": int(amount_fen), "currency": "CNY"},
        }
        if expires_at is not None:
            payload["time_expire"] = expire_text(expires_at)
        if channel == "h5":
            payload["scene_info"] = {
                "payer_client_ip": client_ip or "127.0.0.1",
                "h5_info": {"type": "Wap"},
            }
        if channel == "jsapi":
            if not openid:
                raise ProviderError(
                    _("Open this page from the company's WeChat account to pay in WeChat."),
                    code=error_codes.PROVIDER_NOT_CONFIGURED,
                )
            payload["payer"] = {"openid": openid}
        answer = self._request("POST", f"/v3/pay/transactions/{channel}", payload) or {}
        if channel == "native":
            code_url = str(answer.get("code_url", ""))
            if not code_url.startswith("weixin://"):
                raise ProviderError(
                    _("WeChat Pay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
                )
            pay_url = reverse("portal:wechat_pay", args=[order_number])
            return ProviderOrder(pay_url=pay_url, pay_code=code_url, channel=channel)
        if channel == "h5":
            h5_url = str(answer.get("h5_url", ""))
            if not h5_url.startswith(("https://", "http://")):
                raise ProviderError(
                    _("WeChat Pay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
                )
            if return_url:
                h5_url += ("&" if "?" in h5_url else "?") + urllib.parse.urlencode(
                    {"redirect_url": return_url}
                )
            return ProviderOrder(pay_url=h5_url, channel=channel)
        prepay_id = str(answer.get("prepay_id", ""))
        return ProviderOrder(
            pay_url=reverse("portal:wechat_pay", args=[order_number]),
            pay_code=prepay_id,
            channel=channel,
        )

    def payer_openid(self, user) -> str:
        """The openid the owner linked under this merchant's service account (JSAPI), or ""."""
        from propdesk.notices.wechat import wechat_openid_for

        return wechat_openid_for(user, app_id=self._values()["appid"]) or ""

    def jsapi_parameters(self, *, prepay_id: str) -> dict:
        """What the page hands to WeixinJSBridge's getBrandWCPayRequest (signed with our key)."""
        values = self._values()
        key = credentials.private_key(values["private_key"], "private_key")
        stamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        return {
            "appId": values["appid"],
            "timeStamp": stamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": sign_message(key, jsapi_message(values["appid"], stamp, nonce, package)),
        }

    def query_order(self, *, order_number: str) -> ProviderTrade | None:
        values = self._values()
        number = urllib.parse.quote(order_number, safe="")
        answer = self._request(
            "GET", f"/v3/pay/transactions/out-trade-no/{number}?mchid={values['mchid']}"
        )
        if not answer:
            return None
        return self._trade(answer)

    def _trade(self, data: dict) -> ProviderTrade:
        amount = data.get("amount") or {}
        total = amount.get("total", 0)
        if not isinstance(total, int) or isinstance(total, bool):
            raise ValueError("amount is not whole fen")
        return ProviderTrade(
            order_number=str(data.get("out_trade_no", ""))[:40],
            transaction_id=str(data.get("transaction_id") or "")[:64],
            amount_fen=total,
            paid=data.get("trade_state") == "SUCCESS",
            state=str(data.get("trade_state", ""))[:20],
        )

    def close_order(self, *, order_number: str) -> None:
        values = self._values()
        number = urllib.parse.quote(order_number, safe="")
        self._request(
            "POST", f"/v3/pay/transactions/out-trade-no/{number}/close", {"mchid": values["mchid"]}
        )

    def refund(
        self, *, order_number: str, refund_number: str, amount_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        answer = (
            self._request(
                "POST",
                "/v3/refund/domestic/refunds",
                {
                    "out_trade_no": order_number,
                    "out_refund_no": refund_number,
                    "reason": str(reason)[:80],
                    "notify_url": self.notify_url(),
                    "amount": {
                        "refund": int(amount_fen),
                        "total": int(total_fen),
                        "currency": "CNY",
                    },
                },
            )
            or {}
        )
        return RefundResult(
            refund_number=refund_number,
            provider_refund_id=str(answer.get("refund_id", ""))[:64],
            status=_refund_status(answer.get("status")),
            amount_fen=int((answer.get("amount") or {}).get("refund", amount_fen)),
        )

    def refund_query(self, *, refund_number: str) -> RefundResult | None:
        """查询单笔退款: GET /v3/refund/domestic/refunds/{out_refund_no}."""
        number = urllib.parse.quote(refund_number, safe="")
        answer = self._request(
            "GET",
            f"/v3/refund/domestic/refunds/{number}",
            empty_codes=("RESOURCE_NOT_EXISTS",),
        )
        if not answer:
            return None
        return RefundResult(
            refund_number=str(answer.get("out_refund_no", refund_number))[:64],
            provider_refund_id=str(answer.get("refund_id", ""))[:64],
            status=_refund_status(answer.get("status")),
            amount_fen=int((answer.get("amount") or {}).get("refund", 0)),
        )

    def statement(self, *, day) -> list[ProviderTrade]:
        """The trade bill (交易账单) of the day: asked for, then downloaded from its signed URL."""
        answer = self._request(
            "GET",
            f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL",
            empty_codes=("NO_STATEMENT_EXIST",),
        )
        if not answer:  # no bill: no trade that day
            return []
        download = urllib.parse.urlsplit(str(answer.get("download_url", "")))
        base = urllib.parse.urlsplit(settings.PORTAL_WECHATPAY_API_BASE)
        if download.netloc != base.netloc:
            raise ProviderError(
                _("WeChat Pay's answer is not readable."), code=error_codes.PROVIDER_REFUSED
            )
        base_path = base.path.rstrip("/")
        path = (
            download.path[len(base_path) :]
            if download.path.startswith(base_path)
            else download.path
        )
        if download.query:
            path += "?" + download.query
        content = self._request("GET", path, raw=True)
        return parse_trade_bill(content.decode("utf-8-sig"))

    # --- notifications ----------------------------------------------------------------------

    def verify_callback(self, headers, body: bytes) -> CallbackData:
        serial = str(headers.get("Wechatpay-Serial", ""))[:64]
        stamp = str(headers.get("Wechatpay-Timestamp", ""))
        nonce = str(headers.get("Wechatpay-Nonce", ""))
        signature = str(headers.get("Wechatpay-Signature", ""))
        # A certificate serial is hexadecimal: anything else (a NUL, markup) is no signature, and
        # never reaches the database (PostgreSQL refuses NUL in text).
        printable = serial.isascii() and serial.isalnum()
        if not (printable and stamp.isdigit() and 1 <= len(nonce) <= 64 and signature):
            raise CallbackRejected(_("The callback is not signed."), code=error_codes.UNSIGNED)
        found = credentials.find(self.name, serial)
        if found is None:
            raise CallbackRejected(
                _("The callback's signature is wrong."), code=error_codes.BAD_SIGNATURE
            )
        company_id, values = found
        cert = credentials.certificate(values["platform_certificate"], "platform_certificate")
        message = response_message(stamp, nonce, body)
        if not verify_message(cert.public_key(), message, signature):
            raise CallbackRejected(
                _("The callback's signature is wrong."), code=error_codes.BAD_SIGNATURE
            )
        try:
            envelope = json.loads(body)
            event = str(envelope["event_type"])
            data = decrypt_resource(values["apiv3_key"], envelope["resource"])
            if str(data.get("mchid", "")) != values["mchid"]:
                raise ValueError("another merchant")
            if event.startswith("REFUND."):
                amount = data.get("amount") or {}
                refund = RefundResult(
                    refund_number=str(data["out_refund_no"])[:64],
                    provider_refund_id=str(data.get("refund_id", ""))[:64],
                    status=_refund_status(data.get("refund_status")),
                    amount_fen=int(amount.get("refund", 0)),
                )
                return CallbackData(
                    order_number=str(data["out_trade_no"])[:40],
                    transaction_id=str(data.get("transaction_id", ""))[:64],
                    amount_fen=int(amount.get("total", 0)),
                    paid=False,
                    nonce=nonce,
                    timestamp=int(stamp),
                    company_id=company_id,
                    refund=refund,
                )
            trade = self._trade(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise CallbackRejected(
                _("The callback's body is not readable."), code=error_codes.BAD_BODY
            ) from exc
        if not trade.transaction_id or not trade.order_number:
            raise CallbackRejected(
                _("The callback's body is not readable."), code=error_codes.BAD_BODY
            )
        return CallbackData(
            order_number=trade.order_number,
            transaction_id=trade.transaction_id,
            amount_fen=trade.amount_fen,
            paid=trade.paid and event == "TRANSACTION.SUCCESS",
            nonce=nonce,
            timestamp=int(stamp),
            company_id=company_id,
        )

    def callback_answer(self, ok: bool) -> tuple[int, str, str]:
        # WeChat Pay takes 200/204 as received; anything else is retried.
        if ok:
            return 204, "application/json", ""
        return 400, "application/json", json.dumps({"code": "FAIL", "message": "rejected"})


def _refund_status(value) -> str:
    return {"SUCCESS": "succeeded", "CLOSED": "failed", "ABNORMAL": "failed"}.get(
        str(value or ""), "pending"
    )


def parse_trade_bill(text: str) -> list[ProviderTrade]:
    """The successful payments of a WeChat Pay trade bill (CSV, each field led by a backtick,
    a header line, the trades, then a summary header and line)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    try:
        at_order = header.index("商户订单号")
        at_txn = header.index("微信订单号")
        at_state = header.index("交易状态")
        at_total = header.index("应结订单总金额")
    except ValueError as exc:
        raise ProviderError(
            _("WeChat Pay's statement is not readable."), code=error_codes.PROVIDER_REFUSED
        ) from exc
    trades = []
    for row in rows[1:]:
        if not row or not row[0].startswith("`"):
            break  # the summary starts
        cells = [c.strip().lstrip("`") for c in row]
        if cells[at_state] != "SUCCESS":
            continue
        trades.append(
            ProviderTrade(
                order_number=cells[at_order][:40],
                transaction_id=cells[at_txn][:64],
                amount_fen=_fen(cells[at_total]),
                paid=True,
                state="SUCCESS",
            )
        )
    return trades
