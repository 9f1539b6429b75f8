"""Alipay's open-platform gateway played on loopback, from Alipay's documentation
(opendocs.alipay.com: "签名", "验签", "异步通知", alipay.trade.page.pay / wap.pay / query / close /
refund, alipay.data.dataservice.bill.downloadurl.query).

It checks every request as Alipay does: the app id, sign_type RSA2, the RSA-SHA256 signature
with the app's public key over the sorted parameters but `sign`, a timestamp within 15 minutes
and a readable biz_content (answering `isv.invalid-signature` and friends otherwise). Answers
are `{"<method>_response": {...}, "sign": …}` signed with Alipay's key over the response text.
`pay()` plays the payer and returns the signed asynchronous notification (form-encoded).
"""

import base64
import datetime
import io
import json
import secrets
import urllib.parse
import zipfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from propdesk.portal.payments.standins import StandInServer, private_pem, public_pem, rsa_key

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
BILL_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
    "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def _text(params: dict, skip) -> str:
    return "&".join(
        f"{k}={params[k]}" for k in sorted(params) if k not in skip and params[k] not in ("",)
    )


def _sign(key, text: str) -> str:
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _now() -> datetime.datetime:
    return datetime.datetime.now(SHANGHAI).replace(microsecond=0)


class AlipayStandIn(StandInServer):
    def __init__(self, port: int, *, app_id="2021000000000001"):
        super().__init__(port)
        self.app_id = app_id
        self.app_key = rsa_key()  # the merchant's app key pair (it keeps the private key)
        self.alipay_key = rsa_key()  # Alipay's own key pair (the merchant has the public key)
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.bills: dict[str, bytes] = {}
        self.rejected: list[str] = []

    @property
    def gateway(self) -> str:
        return f"{self.base_url}/gateway.do"

    def reset(self):
        for store in (
            self.orders,
            self.refunds,
            self.bills,
            self.requests,
            self.rejected,
            self.fail_next,
        ):
            store.clear()
        return self

    def credentials(self) -> dict:
        return {
            "app_id": self.app_id,
            "app_private_key": private_pem(self.app_key),
            "alipay_public_key": public_pem(self.alipay_key),
        }

    # --- the gateway ------------------------------------------------------------------------

    def dispatch(self, method, path, headers, body):
        record = {"method": method, "path": path, "body": body, "headers": dict(headers)}
        self.requests.append(record)
        url = urllib.parse.urlsplit(path)
        if url.path.startswith("/bill/"):
            content = self.bills.get(url.path[len("/bill/") :])
            if content is None:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            return 200, {"Content-Type": "application/zip"}, content
        if url.path != "/gateway.do":
            return 404, {"Content-Type": "text/plain"}, b"not found"
        raw = url.query if method == "GET" else body.decode("utf-8", "replace")
        params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        api = params.get("method", "")
        problem = self._check(params)
        if problem:
            self.rejected.append(problem)
            return self.answer_api(
                api,
                {
                    "code": "40002",
                    "msg": "Invalid Arguments",
                    "sub_code": problem,
                    "sub_msg": problem,
                },
            )
        if self.fail_next:
            _status, payload = self.fail_next.pop(0)
            return self.answer_api(api, payload)
        biz = json.loads(params["biz_content"])
        if api in ("alipay.trade.page.pay", "alipay.trade.wap.pay") and method == "GET":
            return self._cashier(api, biz, params)
        if method != "POST":
            return 405, {"Content-Type": "text/plain"}, b"method not allowed"
        handler = {
            "alipay.trade.query": self._query,
            "alipay.trade.close": self._close,
            "alipay.trade.refund": self._refund,
            "alipay.data.dataservice.bill.downloadurl.query": self._bill,
        }.get(api)
        if handler is None:
            return self.answer_api(
                api, {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
            )
        return self.answer_api(api, handler(biz))

    def _check(self, params: dict) -> str:
        if params.get("app_id") != self.app_id:
            return "isv.invalid-app-id"
        if params.get("sign_type") != "RSA2":
            return "isv.invalid-signature-type"
        for name in ("method", "charset", "timestamp", "version", "biz_content"):
            if not params.get(name):
                return f"isv.missing-{name}"
        try:
            at = datetime.datetime.strptime(params["timestamp"] + " +0800", "%Y-%m-%d %H:%M:%S %z")
            if abs((at - _now()).total_seconds()) > 900:
                return "isv.invalid-timestamp"
            json.loads(params["biz_content"])
        except ValueError:
            return "isv.invalid-parameter"
        try:
            self.app_key.public_key().verify(
                base64.b64decode(params.get("sign", "")),
                _text(params, ("sign",)).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:  # noqa: BLE001 - any failure is a bad signature, as Alipay answers
            return "isv.invalid-signature"
        return ""

    def answer_api(self, api: str, payload: dict):
        key = api.replace(".", "_") + "_response"
        inner = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        raw = '{"' + key + '":' + inner + ',"sign":"' + _sign(self.alipay_key, inner) + '"}'
        return 200, {"Content-Type": "application/json;charset=utf-8"}, raw.encode()

    def _cashier(self, api, biz, params):
        number = biz.get("out_trade_no", "")
        try:
            total = round(float(biz["total_amount"]) * 100)
        except (KeyError, ValueError):
            return 400, {"Content-Type": "text/plain"}, b"total_amount"
        self.orders.setdefault(
            number,
            {
                "out_trade_no": number,
                "total": total,
                "status": "WAIT_BUYER_PAY",
                "trade_no": "",
                "paid_at": None,
                "notify_url": params.get("notify_url", ""),
                "time_expire": biz.get("time_expire"),
                "product_code": biz.get("product_code"),
            },
        )
        page = f"<html><body><h1>支付宝收银台</h1><p>{number} ¥{_yuan(total)}</p></body></html>"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()

    def _query(self, biz):
        order = self.orders.get(biz.get("out_trade_no", ""))
        if order is None:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_NOT_EXIST",
                "sub_msg": "交易不存在",
            }
        data = {
            "code": "10000",
            "msg": "Success",
            "out_trade_no": order["out_trade_no"],
            "trade_status": order["status"],
            "total_amount": _yuan(order["total"]),
        }
        if order["trade_no"]:
            data["trade_no"] = order["trade_no"]
        return data

    def _close(self, biz):
        order = self.orders.get(biz.get("out_trade_no", ""))
        if order is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        if order["status"] != "WAIT_BUYER_PAY":
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
        order["status"] = "TRADE_CLOSED"
        return {"code": "10000", "msg": "Success", "out_trade_no": order["out_trade_no"]}

    def _refund(self, biz):
        order = self.orders.get(biz.get("out_trade_no", ""))
        if order is None or order["status"] not in ("TRADE_SUCCESS", "TRADE_CLOSED"):
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        number = biz.get("out_request_no") or order["out_trade_no"]
        try:
            amount = round(float(biz["refund_amount"]) * 100)
        except (KeyError, ValueError):
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.INVALID_PARAMETER"}
        if number in self.refunds:  # the same out_request_no is the same refund
            return {
                "code": "10000",
                "msg": "Success",
                "fund_change": "N",
                "refund_fee": _yuan(self.refunds[number]["amount"]),
                "trade_no": order["trade_no"],
                "out_trade_no": order["out_trade_no"],
            }
        refunded = sum(r["amount"] for r in self.refunds.values() if r["order"] is order)
        if amount <= 0 or refunded + amount > order["total"]:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                "sub_msg": "退款金额超限",
            }
        self.refunds[number] = {"order": order, "amount": amount}
        return {
            "code": "10000",
            "msg": "Success",
            "fund_change": "Y",
            "refund_fee": _yuan(refunded + amount),
            "trade_no": order["trade_no"],
            "out_trade_no": order["out_trade_no"],
        }

    def _bill(self, biz):
        day = biz.get("bill_date", "")
        rows = [
            o
            for o in self.orders.values()
            if o["paid_at"] is not None and o["paid_at"].date().isoformat() == day
        ]
        if not rows:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "isp.bill_not_exist",
                "sub_msg": "账单不存在",
            }
        lines = [
            "#支付宝业务明细查询",
            f"#账号：[{self.app_id}]",
            f"#起始日期：[{day} 00:00:00]   终止日期：[{day} 23:59:59]",
            BILL_HEADER,
        ]
        for o in rows:
            at = o["paid_at"].strftime("%Y-%m-%d %H:%M:%S")
            lines.append(
                ",".join(
                    [
                        o["trade_no"] + "\t",
                        o["out_trade_no"] + "\t",
                        "交易",
                        "物业费",
                        at,
                        at,
                        "",
                        "",
                        "",
                        "",
                        "buy***@example.com",
                        _yuan(o["total"]),
                        _yuan(o["total"]),
                        "0.00",
                        "0.00",
                        "0.00",
                        "0.00",
                        "0.00",
                        "",
                        "0.00",
                        "0.00",
                        "",
                        "0.00",
                        "0.00",
                        "",
                    ]
                )
            )
        lines.append(
            "#-----------------------------------------业务明细列表结束"
            "------------------------------------"
        )
        lines.append(
            f"#交易合计：{len(rows)}笔，商家实收共{_yuan(sum(o['total'] for o in rows))}元"
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(
                f"{self.app_id}_{day.replace('-', '')}_业务明细.csv",
                ("\r\n".join(lines) + "\r\n").encode("gbk"),
            )
            archive.writestr(
                f"{self.app_id}_{day.replace('-', '')}_业务明细(汇总).csv",
                "#汇总\r\n".encode("gbk"),
            )
        token = secrets.token_hex(8)
        self.bills[token] = out.getvalue()
        return {
            "code": "10000",
            "msg": "Success",
            "bill_download_url": f"{self.base_url}/bill/{token}",
        }

    # --- the payer and the notifications ---------------------------------------------------

    def pay(self, number: str, *, at: datetime.datetime | None = None):
        order = self.orders[number]
        if order["status"] == "WAIT_BUYER_PAY":
            order["status"] = "TRADE_SUCCESS"
            order["trade_no"] = "2026" + secrets.token_hex(12)[:24]
            order["paid_at"] = (at or _now()).astimezone(SHANGHAI).replace(microsecond=0)
        return self.notification(number)

    def notification(
        self,
        number: str,
        *,
        amount: int | None = None,
        other_number=None,
        notify_time: datetime.datetime | None = None,
        notify_id: str | None = None,
        forged: bool = False,
        app_id: str | None = None,
        refund: str | None = None,
    ):
        order = self.orders[number]
        at = (notify_time or _now()).astimezone(SHANGHAI)
        params = {
            "notify_time": at.strftime("%Y-%m-%d %H:%M:%S"),
            "notify_type": "trade_status_sync",
            "notify_id": notify_id or secrets.token_hex(16),
            "app_id": app_id or self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": order["trade_no"],
            "out_trade_no": other_number or order["out_trade_no"],
            "trade_status": order["status"],
            "total_amount": _yuan(order["total"] if amount is None else amount),
            "receipt_amount": _yuan(order["total"] if amount is None else amount),
            "gmt_payment": (order["paid_at"] or at).strftime("%Y-%m-%d %H:%M:%S"),
            "subject": "物业费",
        }
        if refund is not None:
            params.update(
                out_biz_no=refund,
                refund_fee=_yuan(self.refunds[refund]["amount"]),
                gmt_refund=at.strftime("%Y-%m-%d %H:%M:%S.000"),
            )
        signer = rsa_key() if forged else self.alipay_key
        params["sign"] = _sign(signer, _text(params, ("sign", "sign_type")))
        params["sign_type"] = "RSA2"
        body = urllib.parse.urlencode(params).encode()
        return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body
