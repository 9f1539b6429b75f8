"""Where the SMS providers push delivery receipts: /notices/receipts/sms/<provider>/<id>/<key>/.

Aliyun's SmsReport (HTTP batch push) and Tencent's status callback post a JSON array; each
expects its own acknowledgement. The key in the path is the gateway's secret receipt address;
`services.receipts` checks it and each receipt (see there)."""

import json
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from propdesk.notices.services.receipts import (
    ReceiptRefused,
    gateway_for_receipt,
    sms_receipts_record,
)

logger = logging.getLogger("propdesk.outbox")
MAX_BODY = 1024 * 1024


def _answer(provider: str, ok: bool, status: int, counts: dict | None = None) -> JsonResponse:
    if provider == "aliyun":
        body = {"code": 0 if ok else 1, "msg": "成功" if ok else "refused"}
    else:
        body = {"result": 0 if ok else 1, "errmsg": "OK" if ok else "refused"}
    if counts is not None:
        body["counts"] = counts
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def sms_receipt(request, provider: str, gateway_id: int, token: str):
    if provider not in ("aliyun", "tencent"):
        return _answer(provider, False, 404)
    try:
        gateway = gateway_for_receipt(gateway_id=gateway_id, token=token, provider=provider)
        if len(request.body) > MAX_BODY:
            raise ReceiptRefused(400, "too large")
        try:
            items = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ReceiptRefused(400, "not JSON") from exc
        counts = sms_receipts_record(gateway=gateway, items=items)
    except ReceiptRefused as exc:
        logger.warning("SMS receipt refused (%s): %s", provider, exc)
        return _answer(provider, False, exc.status)
    logger.info("SMS receipts (%s): %s", provider, counts)
    accepted = counts["recorded"] + counts["duplicate"]
    return _answer(
        provider, accepted > 0 or not items, 200 if accepted or not items else 400, counts
    )
