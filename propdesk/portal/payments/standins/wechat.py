"""WeChat Pay API v3 played on loopback, from WeChat Pay's documentation (pay.weixin.qq.com,
"APIv3 签名", "验签", "回调通知", "Native下单", "H5下单", "JSAPI下单", "查询订单", "关闭订单",
"申请退款", "申请交易账单").

What it checks on each request, as WeChat Pay does: the Authorization scheme and its five
fields, the merchant certificate serial, a timestamp within 5 minutes, and the RSA-SHA256
signature over "METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n" with the merchant's public key
(401 SIGN_ERROR otherwise). Each answer is signed with the platform key over
"timestamp\\nnonce\\nbody\\n" and names the platform certificate's serial.

`pay()` plays the payer: the order becomes SUCCESS and the signed, AES-256-GCM-encrypted
notification is returned (or posted with `deliver`); `notification()` builds good and bad ones.
"""

import base64
import datetime
import json
import re
import secrets
import threading
import time
import urllib.parse

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from propdesk.portal.payments.standins import (
    StandInServer,
    certificate_for,
    certificate_pem,
    private_pem,
    rsa_key,
)

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
AUTH_RE = re.compile(r"^WECHATPAY2-SHA256-RSA2048 (.+)$")
FIELD_RE = re.compile(r'(\w+)="([^"]*)"')
EXPIRE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")
BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单总金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)


def _sign(key, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class WeChatPayStandIn(StandInServer):
    def __init__(self, port: int, *, mchid="1900009191", appid="wxd678efh567hg6787"):
        super().__init__(port)
        self.mchid = mchid
        self.appid = appid
        self.apiv3_key = secrets.token_hex(16)  # 32 characters
        # The merchant's API key pair and certificate serial (the merchant keeps the private key).
        self.merchant_key = rsa_key()
        self.merchant_serial = format(secrets.randbits(64) | 1 << 63, "X")
        # The platform certificate WeChat Pay signs answers and notifications with.
        self.platform_key = rsa_key()
        self.platform_cert = certificate_for(
            self.platform_key,
            common_name="Tenpay.com Root CA stand-in",
            serial=secrets.randbits(64) | 1 << 63,
        )
        self.platform_serial = format(self.platform_cert.serial_number, "X")
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.refund_queries: list[str] = []
        self.bills: dict[str, str] = {}
        self.rejected: list[str] = []  # why requests were refused (SIGN_ERROR, …)

    def reset(self):
        """Forget every order, refund, bill and request (between tests)."""
        self.orders.clear()
        self.refunds.clear()
        self.refund_queries.clear()
        self.bills.clear()
        self.requests.clear()
        self.rejected.clear()
        self.fail_next.clear()
        return self

    def credentials(self) -> dict:
        """What the merchant enters on the settings page."""
        return {
            "mchid": self.mchid,
            "appid": self.appid,
            "merchant_serial": self.merchant_serial,
            "private_key": private_pem(self.merchant_key),
            "apiv3_key": self.apiv3_key,
            "platform_certificate": certificate_pem(self.platform_cert),
        }

    # --- answering the merchant -------------------------------------------------------------

    def signed(self, status: int, payload=None, *, content: bytes | None = None, ctype=None):
        if content is None:
            content = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        signature = _sign(self.platform_key, f"{stamp}\n{nonce}\n".encode() + content + b"\n")
        headers = {
            "Content-Type": ctype or "application/json",
            "Request-ID": secrets.token_hex(8),
            "Wechatpay-Serial": self.platform_serial,
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
        }
        return status, headers, content

    def error(self, status: int, code: str, message: str):
        return self.signed(status, {"code": code, "message": message})

    def dispatch(self, method, path, headers, body):
        record = {"method": method, "path": path, "body": body, "headers": dict(headers)}
        self.requests.append(record)
        problem = self._check_signature(method, path, headers, body)
        if problem:
            self.rejected.append(problem)
            return self.error(401, "SIGN_ERROR", problem)
        if self.fail_next:
            status, payload = self.fail_next.pop(0)
            return self.signed(status, payload)
        return self.handle(method, path, headers, body, record)

    def _check_signature(self, method, path, headers, body) -> str:
        match = AUTH_RE.match(headers.get("Authorization", ""))
        if not match:
            return "no WECHATPAY2-SHA256-RSA2048 authorization"
        fields = dict(FIELD_RE.findall(match.group(1)))
        if set(fields) != {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}:
            return "authorization fields"
        if fields["mchid"] != self.mchid:
            return "mchid"
        if fields["serial_no"] != self.merchant_serial:
            return "serial_no"
        if not fields["timestamp"].isdigit() or abs(time.time() - int(fields["timestamp"])) > 300:
            return "timestamp"
        message = (
            f"{method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n".encode()
            + body
            + b"\n"
        )
        try:
            self.merchant_key.public_key().verify(
                base64.b64decode(fields["signature"]), message, padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return "signature"
        return ""

    def handle(self, method, path, headers, body, record):
        url = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(url.query))
        route = url.path
        if method == "POST" and route in (
            "/v3/pay/transactions/native",
            "/v3/pay/transactions/h5",
            "/v3/pay/transactions/jsapi",
        ):
            return self._order(route.rsplit("/", 1)[1], body)
        found = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)(/close)?", route)
        if found:
            number = urllib.parse.unquote(found.group(1))
            order = self.orders.get(number)
            if found.group(2):
                if method != "POST":
                    return self.error(405, "METHOD_NOT_ALLOWED", "")
                if order is None:
                    return self.error(404, "ORDER_NOT_EXIST", "订单不存在")
                if order["trade_state"] == "SUCCESS":
                    return self.error(400, "ORDERPAID", "订单已支付")
                order["trade_state"] = "CLOSED"
                return self.signed(204)
            if query.get("mchid") != self.mchid:
                return self.error(400, "PARAM_ERROR", "mchid")
            if order is None:
                return self.error(404, "ORDER_NOT_EXIST", "订单不存在")
            return self.signed(200, self._transaction(order))
        if method == "POST" and route == "/v3/refund/domestic/refunds":
            return self._refund(body)
        if method == "GET" and route.startswith("/v3/refund/domestic/refunds/"):
            number = urllib.parse.unquote(route.rsplit("/", 1)[1])
            self.refund_queries.append(number)
            if number not in self.refunds:
                return self.error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return self.signed(200, self._refund_data(self.refunds[number]))
        if method == "GET" and route == "/v3/bill/tradebill":
            day = query.get("bill_date", "")
            if not re.fullmatch(r"\d{4}-\d\d-\d\d", day):
                return self.error(400, "PARAM_ERROR", "bill_date")
            content = self.trade_bill(day)
            if content is None:
                return self.error(400, "NO_STATEMENT_EXIST", "账单文件不存在")
            token = secrets.token_hex(8)
            self.bills[token] = content
            return self.signed(
                200,
                {
                    "hash_type": "SHA1",
                    "hash_value": "",
                    "download_url": f"{self.base_url}/v3/billdownload/file?token={token}",
                },
            )
        if method == "GET" and route == "/v3/billdownload/file":
            content = self.bills.get(query.get("token", ""))
            if content is None:
                return self.error(404, "NOT_FOUND", "")
            return self.signed(200, content=content.encode(), ctype="text/plain; charset=utf-8")
        return self.error(404, "NOT_FOUND", route)

    def _order(self, kind: str, body: bytes):
        try:
            data = json.loads(body)
            total = data["amount"]["total"]
            number = data["out_trade_no"]
            assert data["appid"] == self.appid and data["mchid"] == self.mchid
            assert isinstance(total, int) and total > 0
            assert 6 <= len(number) <= 32 and re.fullmatch(r"[A-Za-z0-9_\-|*]+", number)
            assert 1 <= len(data["description"]) <= 127
            assert data["notify_url"].startswith(("https://", "http://"))
            if "time_expire" in data:
                assert EXPIRE_RE.match(data["time_expire"])
            if kind == "h5":
                assert data["scene_info"]["payer_client_ip"]
                assert data["scene_info"]["h5_info"]["type"]
            if kind == "jsapi":
                assert data["payer"]["openid"]
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.error(400, "PARAM_ERROR", "参数错误")
        existing = self.orders.get(number)
        if existing is not None and existing["request"] != data:
            return self.error(400, "OUT_TRADE_NO_USED", "商户订单号重复")
        if existing is None:
            existing = self.orders[number] = {
                "request": data,
                "kind": kind.upper(),
                "out_trade_no": number,
                "total": total,
                "trade_state": "NOTPAY",
                "transaction_id": "",
                "success_time": None,
                "notify_url": data["notify_url"],
                "prepay_id": "wx" + secrets.token_hex(15),
                "time_expire": data.get("time_expire"),
            }
        if kind == "native":
            return self.signed(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={number[-8:]}"})
        if kind == "h5":
            url = f"{self.base_url}/h5pay?prepay_id={existing['prepay_id']}"
            return self.signed(200, {"h5_url": url})
        return self.signed(200, {"prepay_id": existing["prepay_id"]})

    def _transaction(self, order: dict) -> dict:
        data = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": order["out_trade_no"],
            "trade_type": order["kind"],
            "trade_state": order["trade_state"],
            "trade_state_desc": order["trade_state"],
            "amount": {"total": order["total"], "currency": "CNY"},
        }
        if order["trade_state"] == "SUCCESS":
            data.update(
                transaction_id=order["transaction_id"],
                success_time=order["success_time"].isoformat(),
                bank_type="OTHERS",
                payer={"openid": "o" + order["transaction_id"][-12:]},
            )
            data["amount"].update(payer_total=order["total"], payer_currency="CNY")
        return data

    def _refund(self, body: bytes):
        try:
            data = json.loads(body)
            number = data["out_refund_no"]
            amount = data["amount"]
            refund, total = amount["refund"], amount["total"]
            assert isinstance(refund, int) and refund > 0 and isinstance(total, int)
            assert 1 <= len(number) <= 64
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.error(400, "PARAM_ERROR", "参数错误")
        order = self.orders.get(data.get("out_trade_no", ""))
        if order is None or order["trade_state"] not in ("SUCCESS", "REFUND"):
            return self.error(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        if number in self.refunds:  # the same out_refund_no is the same refund
            return self.signed(200, self._refund_data(self.refunds[number]))
        if total != order["total"]:
            return self.error(400, "PARAM_ERROR", "订单金额不一致")
        refunded = sum(r["refund"] for r in self.refunds.values() if r["order"] is order)
        if refunded + refund > order["total"]:
            return self.error(403, "NOT_ENOUGH", "退款金额超过订单可退金额")
        self.refunds[number] = {
            "order": order,
            "out_refund_no": number,
            "refund_id": "50" + secrets.token_hex(14),
            "refund": refund,
            "status": "PROCESSING",  # settled later: the refund notification says SUCCESS
            "notify_url": data.get("notify_url", order["notify_url"]),
        }
        order["trade_state"] = "REFUND"
        return self.signed(200, self._refund_data(self.refunds[number]))

    def _refund_data(self, refund: dict) -> dict:
        order = refund["order"]
        return {
            "refund_id": refund["refund_id"],
            "out_refund_no": refund["out_refund_no"],
            "transaction_id": order["transaction_id"],
            "out_trade_no": order["out_trade_no"],
            "channel": "ORIGINAL",
            "status": refund["status"],
            "amount": {"total": order["total"], "refund": refund["refund"], "currency": "CNY"},
        }

    def trade_bill(self, day: str) -> str | None:
        lines = [BILL_HEADER]
        total = 0
        count = 0
        for order in self.orders.values():
            paid = order["success_time"]
            if paid is None or paid.astimezone(SHANGHAI).date().isoformat() != day:
                continue
            count += 1
            total += order["total"]
            cells = [
                paid.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                self.appid,
                self.mchid,
                "0",
                "",
                order["transaction_id"],
                order["out_trade_no"],
                "o" + order["transaction_id"][-12:],
                order["kind"],
                "SUCCESS",
                "OTHERS",
                "CNY",
                _yuan(order["total"]),
                "0.00",
                "0",
                "0",
                "0.00",
                "0.00",
                "",
                "",
                "物业费",
                "",
                "0.00000",
                "0.60%",
                _yuan(order["total"]),
                "0.00",
                "",
            ]
            lines.append(",".join("`" + c for c in cells))
        if count == 0:
            return None
        lines.append(
            "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
        )
        lines.append(
            ",".join(
                "`" + c
                for c in [str(count), _yuan(total), "0.00", "0.00", "0.00000", _yuan(total), "0.00"]
            )
        )
        return "\n".join(lines) + "\n"

    # --- the payer and the notifications ---------------------------------------------------

    def pay(self, number: str, *, at: datetime.datetime | None = None) -> tuple[dict, bytes]:
        """The payer pays the order: SUCCESS, and the notification WeChat Pay would send."""
        order = self.orders[number]
        if order["trade_state"] == "NOTPAY":
            order["trade_state"] = "SUCCESS"
            order["transaction_id"] = "42" + secrets.token_hex(13)[:26]
            order["success_time"] = (
                (at or datetime.datetime.now(datetime.UTC))
                .astimezone(SHANGHAI)
                .replace(microsecond=0)
            )
        return self.notification(number)

    def notification(
        self,
        number: str,
        *,
        amount: int | None = None,
        other_number: str | None = None,
        timestamp: int | None = None,
        nonce: str | None = None,
        forged: bool = False,
        mchid: str | None = None,
        key: str | None = None,
    ) -> tuple[dict, bytes]:
        """Headers and body of the payment notification of an order (bad ones on demand)."""
        order = self.orders[number]
        data = self._transaction(order)
        if amount is not None:
            data["amount"]["total"] = data["amount"]["payer_total"] = amount
        if other_number is not None:
            data["out_trade_no"] = other_number
        if mchid is not None:
            data["mchid"] = mchid
        return self._envelope(
            "TRANSACTION.SUCCESS",
            "transaction",
            "支付成功",
            data,
            timestamp=timestamp,
            nonce=nonce,
            forged=forged,
            key=key,
        )

    def refund_notification(self, number: str, **options) -> tuple[dict, bytes]:
        refund = self.refunds[number]
        refund["status"] = "SUCCESS"
        data = self._refund_data(refund)
        data = {
            "mchid": self.mchid,
            "out_trade_no": data["out_trade_no"],
            "transaction_id": data["transaction_id"],
            "out_refund_no": data["out_refund_no"],
            "refund_id": data["refund_id"],
            "refund_status": refund["status"],
            "success_time": datetime.datetime.now(SHANGHAI).replace(microsecond=0).isoformat(),
            "amount": {
                "total": data["amount"]["total"],
                "refund": data["amount"]["refund"],
                "payer_total": data["amount"]["total"],
                "payer_refund": data["amount"]["refund"],
            },
            "user_received_account": "支付用户零钱",
        }
        return self._envelope("REFUND.SUCCESS", "refund", "退款成功", data, **options)

    def _envelope(
        self,
        event,
        original_type,
        summary,
        data,
        *,
        timestamp=None,
        nonce=None,
        forged=False,
        key=None,
    ):
        aes_nonce = secrets.token_hex(6)  # 12 characters
        associated = original_type
        cipher = AESGCM((key or self.apiv3_key).encode()).encrypt(
            aes_nonce.encode(), json.dumps(data, ensure_ascii=False).encode(), associated.encode()
        )
        body = json.dumps(
            {
                "id": secrets.token_hex(18),
                "create_time": datetime.datetime.now(SHANGHAI).replace(microsecond=0).isoformat(),
                "resource_type": "encrypt-resource",
                "event_type": event,
                "summary": summary,
                "resource": {
                    "original_type": original_type,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(cipher).decode(),
                    "associated_data": associated,
                    "nonce": aes_nonce,
                },
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(16)
        signer = rsa_key() if forged else self.platform_key
        headers = {
            "Wechatpay-Serial": self.platform_serial,
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": _sign(signer, f"{stamp}\n{nonce}\n".encode() + body + b"\n"),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Content-Type": "application/json",
        }
        return headers, body

    def deliver(self, notification, url: str, *, delay: float = 0.0):
        """POST a notification to the merchant's notify_url; with a delay, in the background."""
        headers, body = notification

        def send():
            return requests.post(url, data=body, headers=headers, timeout=10).status_code

        if delay:
            timer = threading.Timer(delay, send)
            timer.daemon = True
            timer.start()
            return timer
        return send()
