"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11 `SendSms`) through Tencent's own SDK.

The SDK signs each request with TC3-HMAC-SHA256 (a key derived from the SecretKey, the date and
the service over the canonical request: method, path, `content-type` and `host` headers and the
payload hash); `endpoint` points it at `sms.tencentcloudapi.com` or, in the tests, at a loopback
stand-in. `SessionContext` carries the outbox dedupe key, returned in the status callback.

Request errors come back as `Response.Error.Code`, per-number results in `SendStatusSet[].Code`
(腾讯云短信错误码); both are classified as `sms_gateway` describes.
"""

from __future__ import annotations

import datetime
import zoneinfo

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from propdesk.core.transports.base import TransportError
from propdesk.core.transports.sms_gateway import (
    DeliveryReport,
    SmsTemplateRef,
    TemplateSmsGateway,
    deferred,
)

PUBLIC_ENDPOINT = "sms.tencentcloudapi.com"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PULL_LIMIT = 100  # PullSmsSendStatus answers at most 100 statuses a call

PER_NUMBER_LIMITS = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": {"minutes": 1},
    "LimitExceeded.PhoneNumberOneHourLimit": {"hours": 1},
    "LimitExceeded.PhoneNumberDailyLimit": {"days": 1},
    "LimitExceeded.PhoneNumberSameContentDailyLimit": {"days": 1},
    "LimitExceeded.DailyLimit": {"days": 1},
    "LimitExceeded.DeliveryFrequencyLimit": {"minutes": 1},
}
INVALID_NUMBER = {
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.ContainDomesticAndInternationalPhoneNumber",
    "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
}
RETRY_PREFIXES = (
    "InternalError",
    "RequestLimitExceeded",
    "ServerNetworkError",
    "ClientNetworkError",
    "ResourceUnavailable",
)
# Status-callback `errmsg` values meaning the number does not exist.
RECEIPT_INVALID_NUMBER = {"MK:0001", "EMPTYNUM", "UNDELIV:0001", "IC:0001", "MN:0001", "KONGHAO"}


def mainland_e164(mobile: str) -> str:
    return mobile if mobile.startswith("+") else "+86" + mobile


class TencentSmsGateway(TemplateSmsGateway):
    name = "tencent"

    def client(self) -> SmsClient:
        cred = credential.Credential(
            self.config.access_key_id.reveal(), self.config.access_key_secret.reveal()
        )
        http = HttpProfile(
            protocol=self.config.scheme or "https",
            endpoint=self.config.endpoint or PUBLIC_ENDPOINT,
            reqTimeout=max(int(self.config.timeout), 1),
        )
        profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)
        return SmsClient(cred, self.config.region or "ap-guangzhou", profile)

    def send_template(
        self,
        *,
        mobile: str,
        template: SmsTemplateRef,
        values: list[tuple[str, str]],
        message_id: str,
    ) -> str:
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [mainland_e164(mobile)]
        request.SmsSdkAppId = self.config.sdk_app_id
        request.SignName = self.config.sign_name
        request.TemplateId = template.code
        request.TemplateParamSet = [value for _name, value in values]
        request.SessionContext = message_id[:512]
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise classify(str(exc.code or "")) from None
        except OSError as exc:
            raise TransportError(f"Tencent SMS unreachable ({type(exc).__name__})") from None
        statuses = response.SendStatusSet or []
        if not statuses:
            raise TransportError("Tencent SMS answered without a status for the number")
        status = statuses[0]
        if str(status.Code) == "Ok":
            return str(status.SerialNo or "")
        raise classify(str(status.Code or ""))

    def delivery_reports(self, messages) -> list[DeliveryReport]:
        """PullSmsSendStatus: the statuses of the application's messages not pulled before
        (each status is answered once), whichever messages they are; `messages` only says
        that some are waiting."""
        request = sms_models.PullSmsSendStatusRequest()
        request.SmsSdkAppId = self.config.sdk_app_id
        request.Limit = PULL_LIMIT
        try:
            response = self.client().PullSmsSendStatus(request)
        except TencentCloudSDKException as exc:
            raise TransportError(f"Tencent SMS PullSmsSendStatus {exc.code}") from None
        except OSError as exc:
            raise TransportError(f"Tencent SMS unreachable ({type(exc).__name__})") from None
        reports = []
        for status in response.PullSmsSendStatusSet or []:
            mobile = str(status.SubscriberNumber or "")
            if str(status.CountryCode or "86") != "86":
                mobile = str(status.PhoneNumber or "")
            state = str(status.ReportStatus or "")
            if state not in ("SUCCESS", "FAIL"):
                continue
            reports.append(
                DeliveryReport(
                    provider_ref=str(status.SerialNo or ""),
                    mobile=mobile,
                    delivered=state == "SUCCESS",
                    error="" if state == "SUCCESS" else str(status.Description or "")[:200],
                    at=_when(status.UserReceiveTime),
                )
            )
        return reports


def _when(text) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def classify(code: str) -> TransportError:
    if code in PER_NUMBER_LIMITS:
        return deferred(f"Tencent SMS {code}: the number's limit, later", **PER_NUMBER_LIMITS[code])
    if code in INVALID_NUMBER:
        return TransportError(f"Tencent SMS {code}: not a valid mobile number", unreachable=True)
    if code.startswith(RETRY_PREFIXES):
        return TransportError(f"Tencent SMS {code}: try again")
    return TransportError(f"Tencent SMS refused the message ({code})", permanent=True)
