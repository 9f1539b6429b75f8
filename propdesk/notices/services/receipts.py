"""Delivery receipts pushed by the SMS providers (Aliyun SmsReport, Tencent status callback).

Neither provider signs its pushes, so a receipt is believed only when (1) it arrives at the
gateway's secret receipt address (a random key in the path, compared in constant time) and
(2) it names a message this site sent through that provider, by the provider's id (BizId,
SerialNo) and to the same number. Anything else is counted as refused and changes nothing; a
receipt for a message that has one already is a duplicate and changes nothing either. A failure
whose code says the number does not exist marks it unreachable (`core.unreachable`).

Where a push never came (the receipt address not configured at the provider, a lost push), the
worker asks: `sms_receipts_pull` takes the SMS sent more than PULL_AFTER_MINUTES ago with no
receipt and pulls their status through each company's adapter (Aliyun QuerySendDetails per
message, Tencent PullSmsSendStatus per application). A pulled status is recorded by the same
rule as a pushed one: first receipt wins, a duplicate or unknown one changes nothing.
"""

from __future__ import annotations

import datetime
import hmac
import zoneinfo

from django.utils import timezone

from propdesk.core.models import OutboxMessage
from propdesk.core.outbox import message_receipt_record
from propdesk.core.transports.aliyun_sms import RECEIPT_INVALID_NUMBER as ALIYUN_INVALID
from propdesk.core.transports.base import TransportError
from propdesk.core.transports.sources import provider_source
from propdesk.core.transports.tencent_sms import RECEIPT_INVALID_NUMBER as TENCENT_INVALID
from propdesk.notices.models import SmsGateway

MAX_ITEMS = 1000
PULL_AFTER_MINUTES = 10  # a push usually comes within seconds; ask after this long without
PULL_WITHIN_HOURS = 48  # carriers answer within 72 h; older messages are left as they are
PULL_BATCH = 500
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class ReceiptRefused(Exception):
    """The receipt address or the document is not acceptable (answered 403 or 400)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def gateway_for_receipt(*, gateway_id: int, token: str, provider: str) -> SmsGateway:
    gateway = SmsGateway.objects.filter(id=gateway_id, provider=provider).first()
    stored = gateway.receipt_token.reveal() if gateway is not None else ""
    if not stored or not hmac.compare_digest(stored.encode(), (token or "").encode()):
        raise ReceiptRefused(403, "unknown receipt address")
    return gateway


def _when(text) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def _text(item: dict, key: str, limit: int = 100) -> str:
    value = item.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool):
        return ""
    text = str(value)
    return "" if "\x00" in text or len(text) > limit else text.strip()


def sms_receipts_record(*, gateway: SmsGateway, items) -> dict[str, int]:
    """Record a pushed batch; return counts by outcome (recorded, duplicate, refused)."""
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise ReceiptRefused(400, "a JSON array of at most 1000 receipts is expected")
    counts = {"recorded": 0, "duplicate": 0, "refused": 0}
    for item in items:
        outcome = "refused"
        if isinstance(item, dict):
            outcome = _record_one(gateway, item)
        counts["refused" if outcome == "unknown" else outcome] += 1
    return counts


def _record_one(gateway: SmsGateway, item: dict) -> str:
    if gateway.provider == SmsGateway.Provider.ALIYUN:
        success = item.get("success")
        if not isinstance(success, bool):
            return "unknown"
        code = _text(item, "err_code")
        return message_receipt_record(
            channel="sms",
            provider_ref=_text(item, "biz_id"),
            recipient=_text(item, "phone_number", 20),
            delivered=success,
            error="" if success else f"{code} {_text(item, 'err_msg', 200)}".strip(),
            at=_when(item.get("report_time")),
            unreachable=code in ALIYUN_INVALID,
        )
    status = _text(item, "report_status")
    if status not in ("SUCCESS", "FAIL"):
        return "unknown"
    code = _text(item, "errmsg")
    return message_receipt_record(
        channel="sms",
        provider_ref=_text(item, "sid"),
        recipient=_text(item, "mobile", 20),
        delivered=status == "SUCCESS",
        error="" if status == "SUCCESS" else f"{code} {_text(item, 'description', 200)}".strip(),
        at=_when(item.get("user_receive_time")),
        unreachable=code in TENCENT_INVALID,
    )


def sms_receipts_pull(
    *, after_minutes: int = PULL_AFTER_MINUTES, within_hours: int = PULL_WITHIN_HOURS
) -> dict[str, int]:
    """Pull the delivery status of SMS sent with no receipt (the worker, every few minutes);
    return counts by outcome (recorded, duplicate, unknown, waiting, failed gateways)."""
    now = timezone.now()
    waiting = list(
        OutboxMessage.objects.filter(
            channel=OutboxMessage.Channel.SMS,
            status=OutboxMessage.Status.SENT,
            receipt_status="",
            sent_at__lte=now - datetime.timedelta(minutes=after_minutes),
            sent_at__gte=now - datetime.timedelta(hours=within_hours),
        )
        .exclude(provider_ref="")
        .order_by("sent_at", "pk")[:PULL_BATCH]
    )
    counts = {"recorded": 0, "duplicate": 0, "unknown": 0, "waiting": 0, "unavailable": 0}
    source = provider_source("sms")
    if source is None or not waiting:
        return counts
    groups: dict[tuple, tuple] = {}
    for message in waiting:
        adapter = source.for_message(message)
        if adapter is None or not hasattr(adapter, "delivery_reports"):
            continue
        config = adapter.config
        key = (adapter.name, config.endpoint, config.sdk_app_id, config.access_key_id.reveal())
        groups.setdefault(key, (adapter, []))[1].append(message)
    for adapter, messages in groups.values():
        try:
            reports = adapter.delivery_reports(messages)
        except TransportError:
            counts["unavailable"] += 1  # asked again on the next pass
            continue
        for report in reports:
            if report.delivered is None:
                counts["waiting"] += 1
                continue
            outcome = message_receipt_record(
                channel="sms",
                provider_ref=report.provider_ref,
                recipient=report.mobile,
                delivered=report.delivered,
                error=report.error,
                at=report.at,
                unreachable=report.unreachable,
            )
            counts[outcome] += 1
    return counts
