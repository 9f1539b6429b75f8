"""Aliyun's and Tencent Cloud's SMS side, from their API documentation.

Both check the request signature the way the provider does (Aliyun ACS3-HMAC-SHA256 over the
canonical request; Tencent TC3-HMAC-SHA256 with the date- and service-derived key), the
credentials, the signature name, the template and its parameters, and the number; they apply
the providers' default per-number flow control (1 a minute, 5 an hour, 10 a day, configurable),
answer scripted errors of each class (`fail_next`), and build delivery receipts in the providers'
push formats (`receipt(...)`) for the tests to post, also duplicated or forged. The carrier's
answer can also be left for the product to pull (`report(...)`): Aliyun's QuerySendDetails
answers a message's status by number, BizId and send date; Tencent's PullSmsSendStatus answers
each status once, at most `Limit` at a time.
"""

import datetime
import hashlib
import hmac
import itertools
import json
import re
import urllib.parse

from propdesk.notices.tests.standins import StandIn

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class PerNumberLimits:
    def __init__(self, per_minute=1, per_hour=5, per_day=10):
        self.limits = [(60, per_minute), (3600, per_hour), (86400, per_day)]
        self.sent: dict[str, list[float]] = {}

    def exceeded(self, number: str, now: float) -> int | None:
        """The window (seconds) whose limit the number reached, or None (and the send counts)."""
        times = [t for t in self.sent.get(number, []) if t > now - 86400]
        for window, limit in self.limits:
            if len([t for t in times if t > now - window]) >= limit:
                return window
        self.sent[number] = [*times, now]
        return None


class SmsStandIn(StandIn):
    def __init__(self, *, key_id, key_secret, sign_name, templates, clock=None):
        super().__init__()
        self.key_id, self.key_secret, self.sign_name = key_id, key_secret, sign_name
        self.templates = templates  # code → number of parameters (Tencent) / names (Aliyun)
        self.fail_next: list = []
        self.sent: list[dict] = []
        self.limits = PerNumberLimits()
        self.ids = itertools.count(1)
        self.clock = clock or (lambda: datetime.datetime.now(datetime.UTC).timestamp())
        self.bad_signatures = 0
        self.queries: list[dict] = []  # the status pulls asked, in order


class AliyunStandIn(SmsStandIn):
    """dysmsapi 2017-05-25 SendSms (RPC style, POST /, parameters in the query)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("key_id", "LTAI5tStandInKeyId")
        kwargs.setdefault("key_secret", "aliyun-access-key-secret-0001")
        kwargs.setdefault("sign_name", "测试物业")
        kwargs.setdefault("templates", {"SMS_100001": {"code"}, "SMS_100002": {"number", "status"}})
        super().__init__(**kwargs)

    def _signature_ok(self, method, path, query, headers) -> bool:
        auth = headers.get("authorization", "")
        match = re.fullmatch(
            r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})",
            auth,
        )
        if not match or match.group(1) != self.key_id:
            return False
        signed = match.group(2).split(";")
        if (
            "host" not in signed
            or "x-acs-date" not in signed
            or "x-acs-content-sha256" not in signed
        ):
            return False
        canonical_query = "&".join(
            f"{k}={urllib.parse.quote(v, safe='~')}" for k, v in sorted(query.items())
        )
        canonical_headers = "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed)
        payload_hash = headers.get("x-acs-content-sha256", "")
        if payload_hash != hashlib.sha256(b"").hexdigest():
            return False
        canonical = "\n".join(
            [
                method,
                path or "/",
                canonical_query,
                canonical_headers,
                ";".join(signed),
                payload_hash,
            ]
        )
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(self.key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, match.group(3))

    def handle(self, method, path, query, headers, body):
        request_id = f"REQ-{next(self.ids)}"
        action = headers.get("x-acs-action")
        if action not in ("SendSms", "QuerySendDetails") or (
            headers.get("x-acs-version") != "2017-05-25"
        ):
            return self.json(400, {"Code": "InvalidAction.NotFound", "RequestId": request_id})
        if not self._signature_ok(method, path, query, headers):
            self.bad_signatures += 1
            auth = headers.get("authorization", "")
            if f"Credential={self.key_id}," not in auth:
                return self.json(
                    404,
                    {
                        "Code": "InvalidAccessKeyId.NotFound",
                        "Message": "Specified access key is not found.",
                        "RequestId": request_id,
                    },
                )
            return self.json(
                400,
                {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature does not match our calculation.",
                    "RequestId": request_id,
                },
            )
        if action == "QuerySendDetails":
            return self._query_send_details(query, request_id)
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, int):  # an HTTP status (5xx, 429 throttling)
                code = "Throttling.User" if failure == 429 else "ServiceUnavailable"
                return self.json(
                    failure, {"Code": code, "Message": "scripted", "RequestId": request_id}
                )
            if failure == "timeout":
                import time

                time.sleep(3)
                return self.json(200, {"Code": "OK"})
            return self.json(200, {"Code": failure, "Message": "scripted", "RequestId": request_id})
        number = query.get("PhoneNumbers", "")
        if not MOBILE.match(number):
            return self.json(
                200,
                {
                    "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                    "Message": "非法手机号",
                    "RequestId": request_id,
                },
            )
        if query.get("SignName") != self.sign_name:
            return self.json(200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "RequestId": request_id})
        names = self.templates.get(query.get("TemplateCode"))
        if names is None:
            return self.json(200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "RequestId": request_id})
        try:
            params = json.loads(query.get("TemplateParam") or "{}")
        except ValueError:
            return self.json(200, {"Code": "isv.INVALID_JSON_PARAM", "RequestId": request_id})
        if set(params) != set(names):
            return self.json(
                200, {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "RequestId": request_id}
            )
        if self.limits.exceeded(number, self.clock()) is not None:
            return self.json(
                200,
                {
                    "Code": "isv.BUSINESS_LIMIT_CONTROL",
                    "Message": "触发号码天级流控",
                    "RequestId": request_id,
                },
            )
        biz_id = f"9{next(self.ids):05d}^0"
        self.sent.append(
            {
                "number": number,
                "template": query["TemplateCode"],
                "params": params,
                "out_id": query.get("OutId", ""),
                "biz_id": biz_id,
                "send_date": datetime.datetime.fromtimestamp(
                    self.clock(), datetime.timezone(datetime.timedelta(hours=8))
                ).strftime("%Y%m%d"),
            }
        )
        return self.json(
            200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}
        )

    def report(self, sent: dict, *, success=True, err_code="DELIVERED") -> None:
        """The carrier answered: QuerySendDetails shows it from now on."""
        sent["status"] = 3 if success else 2
        sent["err_code"] = err_code
        sent["receive_date"] = "2026-07-08 10:00:05"

    def _query_send_details(self, query, request_id):
        """QuerySendDetails: PhoneNumber, SendDate (yyyyMMdd), PageSize (≤ 50) and CurrentPage
        are required; BizId narrows to one message."""
        self.queries.append(dict(query))
        date = query.get("SendDate", "")
        if not (
            MOBILE.match(query.get("PhoneNumber", ""))
            and re.fullmatch(r"20\d{6}", date)
            and query.get("PageSize", "").isdigit()
            and 1 <= int(query["PageSize"]) <= 50
            and query.get("CurrentPage", "").isdigit()
        ):
            return self.json(200, {"Code": "isv.InvalidParameter", "RequestId": request_id})
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, int):
                return self.json(failure, {"Code": "ServiceUnavailable", "RequestId": request_id})
            return self.json(200, {"Code": failure, "Message": "scripted", "RequestId": request_id})
        found = [
            sent
            for sent in self.sent
            if sent["number"] == query["PhoneNumber"]
            and query.get("BizId") in (None, "", sent["biz_id"])
            and sent["send_date"] == date
        ]
        details = [
            {
                "PhoneNum": sent["number"],
                "SendStatus": sent.get("status", 1),
                "ErrCode": sent.get("err_code", ""),
                "TemplateCode": sent["template"],
                "Content": "【" + self.sign_name + "】…",
                "SendDate": "2026-07-08 10:00:00",
                "ReceiveDate": sent.get("receive_date", ""),
                "OutId": sent["out_id"],
            }
            for sent in found
        ]
        return self.json(
            200,
            {
                "Code": "OK",
                "Message": "OK",
                "TotalCount": len(details),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
                "RequestId": request_id,
            },
        )

    def receipt(self, sent: dict, *, success=True, err_code="DELIVERED") -> list[dict]:
        """One SmsReport push (HTTP batch push: a JSON array)."""
        return [
            {
                "phone_number": sent["number"],
                "send_time": "2026-07-08 10:00:00",
                "report_time": "2026-07-08 10:00:05",
                "success": success,
                "err_code": err_code,
                "err_msg": "用户接收成功" if success else "失败",
                "sms_size": "1",
                "biz_id": sent["biz_id"],
                "out_id": sent["out_id"],
            }
        ]


class TencentStandIn(SmsStandIn):
    """SMS API 2021-01-11 SendSms (POST / with a JSON body, TC3-HMAC-SHA256)."""

    content_type = "application/json"  # as Tencent answers (the SDK reads errors only then)

    def __init__(self, *, sdk_app_id="1400000001", **kwargs):
        kwargs.setdefault("key_id", "AKIDStandInSecretId")
        kwargs.setdefault("key_secret", "tencent-secret-key-0001")
        kwargs.setdefault("sign_name", "测试物业")
        kwargs.setdefault("templates", {"100001": 1, "100002": 2})
        super().__init__(**kwargs)
        self.sdk_app_id = sdk_app_id
        self.to_pull: list[dict] = []  # statuses not pulled yet (each is answered once)

    def _error(self, code, message="scripted"):
        return self.json(
            200,
            {
                "Response": {
                    "Error": {"Code": code, "Message": message},
                    "RequestId": f"REQ-{next(self.ids)}",
                }
            },
        )

    def _signature_ok(self, method, headers, body) -> bool:
        auth = headers.get("authorization", "")
        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
            r"SignedHeaders=content-type;host, Signature=([0-9a-f]{64})",
            auth,
        )
        if not match:
            return False
        secret_id, date, signature = match.groups()
        if secret_id != self.key_id:
            return False
        timestamp = headers.get("x-tc-timestamp", "")
        if not timestamp.isdigit():
            return False
        if abs(int(timestamp) - self.clock()) > 300:  # Tencent refuses requests older than 5 min
            return False
        day = datetime.datetime.fromtimestamp(int(timestamp), datetime.UTC).strftime("%Y-%m-%d")
        if day != date:
            return False
        canonical = "\n".join(
            [
                method,
                "/",
                "",
                f"content-type:{headers.get('content-type', '')}\nhost:{headers.get('host', '')}\n",
                "content-type;host",
                hashlib.sha256(body).hexdigest(),
            ]
        )
        to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                timestamp,
                f"{date}/sms/tc3_request",
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )

        def sign(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = sign(sign(sign(("TC3" + self.key_secret).encode(), date), "sms"), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    def handle(self, method, path, query, headers, body):
        action = headers.get("x-tc-action")
        if action not in ("SendSms", "PullSmsSendStatus") or (
            headers.get("x-tc-version") != "2021-01-11"
        ):
            return self._error("InvalidAction")
        if not self._signature_ok(method, headers, body):
            self.bad_signatures += 1
            if f"Credential={self.key_id}/" not in headers.get("authorization", ""):
                return self._error("AuthFailure.SecretIdNotFound")
            return self._error("AuthFailure.SignatureFailure")
        if action == "PullSmsSendStatus":
            return self._pull(json.loads(body))
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, int):
                return (failure, {"Content-Type": "text/plain"}, b"upstream error")
            if failure.startswith("status:"):
                return self._status(json.loads(body), failure.split(":", 1)[1])
            return self._error(failure)
        request = json.loads(body)
        if request.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error("FailedOperation.SmsSdkAppIdVerifyFail")
        if request.get("SignName") != self.sign_name:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved")
        count = self.templates.get(request.get("TemplateId"))
        if count is None:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved")
        if len(request.get("TemplateParamSet") or []) != count:
            return self._error("InvalidParameterValue.TemplateParameterFormatError")
        number = (request.get("PhoneNumberSet") or [""])[0]
        if not number.startswith("+86") or not MOBILE.match(number[3:]):
            return self._status(request, "InvalidParameterValue.IncorrectPhoneNumber")
        window = self.limits.exceeded(number, self.clock())
        if window is not None:
            code = {
                60: "LimitExceeded.PhoneNumberThirtySecondLimit",
                3600: "LimitExceeded.PhoneNumberOneHourLimit",
            }.get(window, "LimitExceeded.PhoneNumberDailyLimit")
            return self._status(request, code)
        serial = f"2645:{next(self.ids):08d}"
        self.sent.append(
            {
                "number": number[3:],
                "template": request["TemplateId"],
                "params": request["TemplateParamSet"],
                "serial": serial,
                "session": request.get("SessionContext", ""),
            }
        )
        return self._status(request, "Ok", serial=serial)

    def _status(self, request, code, serial=""):
        number = (request.get("PhoneNumberSet") or [""])[0]
        return self.json(
            200,
            {
                "Response": {
                    "SendStatusSet": [
                        {
                            "SerialNo": serial,
                            "PhoneNumber": number,
                            "Fee": 1 if code == "Ok" else 0,
                            "SessionContext": request.get("SessionContext", ""),
                            "Code": code,
                            "Message": "send success" if code == "Ok" else code,
                            "IsoCode": "CN",
                        }
                    ],
                    "RequestId": f"REQ-{next(self.ids)}",
                }
            },
        )

    def report(self, sent: dict, *, success=True, description="") -> None:
        """The carrier answered: the next PullSmsSendStatus answers it (once)."""
        self.to_pull.append(
            {
                "UserReceiveTime": "2026-07-08 10:00:05",
                "CountryCode": "86",
                "SubscriberNumber": sent["number"],
                "PhoneNumber": "+86" + sent["number"],
                "SerialNo": sent["serial"],
                "ReportStatus": "SUCCESS" if success else "FAIL",
                "Description": description
                or ("用户短信送达成功" if success else "用户短信送达失败"),
                "SessionContext": sent["session"],
            }
        )

    def _pull(self, request):
        """PullSmsSendStatus: SmsSdkAppId and Limit (1 to 100) required."""
        self.queries.append(dict(request))
        if request.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error("FailedOperation.SmsSdkAppIdVerifyFail")
        limit = request.get("Limit")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            return self._error("InvalidParameterValue.InvalidLimit")
        if self.fail_next:
            return self._error(self.fail_next.pop(0))
        answered, self.to_pull = self.to_pull[:limit], self.to_pull[limit:]
        return self.json(
            200,
            {
                "Response": {
                    "PullSmsSendStatusSet": answered,
                    "RequestId": f"REQ-{next(self.ids)}",
                }
            },
        )

    def receipt(self, sent: dict, *, success=True, errmsg="DELIVRD") -> list[dict]:
        """One status callback (短信下发状态通知: a JSON array)."""
        return [
            {
                "user_receive_time": "2026-07-08 10:00:05",
                "nationcode": "86",
                "mobile": sent["number"],
                "report_status": "SUCCESS" if success else "FAIL",
                "errmsg": errmsg,
                "description": "用户短信送达成功" if success else "失败",
                "sid": sent["serial"],
            }
        ]
