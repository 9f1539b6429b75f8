"""Aliyun SMS (阿里云短信, dysmsapi 2017-05-25 `SendSms`) through Aliyun's own SDK.

The SDK signs each request (ACS3-HMAC-SHA256 over the method, path, query, the `host` and
`x-acs-*` headers and the payload hash) with the AccessKey; `endpoint` points it at the public
`dysmsapi.aliyuncs.com` or, in the tests, at a loopback stand-in. `OutId` carries the outbox
dedupe key so a receipt (SmsReport) and Aliyun's console can be matched with the message.

Codes (Aliyun's 短信发送 API 错误码) are classified as `sms_gateway` describes; answers other than
those listed are permanent failures with the code kept in the message's last error.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from Tea.exceptions import TeaException, UnretryableException

from propdesk.core.transports.base import TransportError
from propdesk.core.transports.sms_gateway import (
    DeliveryReport,
    SmsTemplateRef,
    TemplateSmsGateway,
    deferred,
)

PUBLIC_ENDPOINT = "dysmsapi.aliyuncs.com"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# QuerySendDetails SendStatus: 1 waiting for the carrier, 2 failed, 3 delivered.
SEND_STATUS = {2: False, 3: True}

# Per-number flow control (the number got its 1/min, 5/hour or 10/day): later, not a failure.
FLOW_CONTROL = {"isv.BUSINESS_LIMIT_CONTROL"}
DAY_LIMIT = {"isv.DAY_LIMIT_CONTROL", "isv.OUT_OF_SERVICE"}
INVALID_NUMBER = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT"}
RETRY = {
    "isp.SYSTEM_ERROR",
    "isp.RAM_PERMISSION_DENY_TEMPORARY",
    "Throttling.User",
    "Throttling",
    "ServiceUnavailable",
    "InternalError",
    "SignatureNonceUsed",
}
# Receipt codes meaning the number does not exist (SmsReport err_code).
RECEIPT_INVALID_NUMBER = {
    "MK:0001",
    "IC:0001",
    "UNDELIV:0001",
    "MN:0001",
    "EMPTYNUM",
    "KONGHAO",
    "MOBILE_NOT_EXIST",
    "IB:0008",
}


class AliyunSmsGateway(TemplateSmsGateway):
    name = "aliyun"

    def client(self) -> Client:
        config = openapi_models.Config(
            access_key_id=self.config.access_key_id.reveal(),
            access_key_secret=self.config.access_key_secret.reveal(),
            endpoint=self.config.endpoint or PUBLIC_ENDPOINT,
            protocol=self.config.scheme or "https",
            region_id=self.config.region or "cn-hangzhou",
            read_timeout=int(self.config.timeout * 1000),
            connect_timeout=int(min(self.config.timeout, 5) * 1000),
        )
        return Client(config)

    def send_template(
        self,
        *,
        mobile: str,
        template: SmsTemplateRef,
        values: list[tuple[str, str]],
        message_id: str,
    ) -> str:
        request = sms_models.SendSmsRequest(
            phone_numbers=mobile,
            sign_name=self.config.sign_name,
            template_code=template.code,
            template_param=json.dumps(dict(values), ensure_ascii=False) if values else None,
            out_id=message_id[:64],
        )
        try:
            response = self.client().send_sms(request)
        except ClientException as exc:
            raise classify(str(exc.code or ""), status=exc.status_code) from None
        except ServerException as exc:
            raise TransportError(f"Aliyun SMS answered {exc.status_code} ({exc.code})") from None
        except (UnretryableException, TeaException, OSError) as exc:
            raise TransportError(f"Aliyun SMS unreachable ({type(exc).__name__})") from None
        body = response.body
        code = str(getattr(body, "code", "") or "")
        if code == "OK":
            return str(body.biz_id or "")
        raise classify(code)

    def delivery_reports(self, messages) -> list[DeliveryReport]:
        """QuerySendDetails per message: its number, BizId and the day it was sent (Beijing)."""
        client = self.client()
        reports = []
        for message in messages:
            sent_on = (message.sent_at or message.created_at).astimezone(SHANGHAI)
            request = sms_models.QuerySendDetailsRequest(
                phone_number=message.recipient,
                biz_id=message.provider_ref,
                send_date=sent_on.strftime("%Y%m%d"),
                page_size=10,
                current_page=1,
            )
            try:
                response = client.query_send_details(request)
            except (ClientException, ServerException) as exc:
                raise TransportError(f"Aliyun SMS QuerySendDetails {exc.code}") from None
            except (UnretryableException, TeaException, OSError) as exc:
                raise TransportError(f"Aliyun SMS unreachable ({type(exc).__name__})") from None
            body = response.body
            if str(getattr(body, "code", "") or "") != "OK":
                raise TransportError(f"Aliyun SMS QuerySendDetails {body.code}")
            details = getattr(body.sms_send_detail_dtos, "sms_send_detail_dto", None) or []
            for detail in details:
                delivered = SEND_STATUS.get(_int(detail.send_status))
                code = str(detail.err_code or "")
                reports.append(
                    DeliveryReport(
                        provider_ref=message.provider_ref,
                        mobile=str(detail.phone_num or ""),
                        delivered=delivered,
                        error="" if delivered is not False else code,
                        at=_when(detail.receive_date),
                        unreachable=delivered is False and code in RECEIPT_INVALID_NUMBER,
                    )
                )
        return reports


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _when(text) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def classify(code: str, *, status: int | None = None) -> TransportError:
    if code in FLOW_CONTROL:
        return deferred(f"Aliyun SMS {code}: the number's flow control, later", minutes=1)
    if code in DAY_LIMIT:
        return deferred(f"Aliyun SMS {code}: the daily limit, tomorrow", days=1)
    if code in INVALID_NUMBER:
        return TransportError(f"Aliyun SMS {code}: not a valid mobile number", unreachable=True)
    if code in RETRY or (status is not None and (status >= 500 or status == 429)):
        return TransportError(f"Aliyun SMS {code or status}: try again")
    return TransportError(f"Aliyun SMS refused the message ({code or status})", permanent=True)
