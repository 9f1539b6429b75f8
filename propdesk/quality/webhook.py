"""The telephone system's events (/api/calls/events): signed, not logged in; see services/pbx.

The busiest path of the API (one request per ring, answer and hang-up of every call) is a plain
Django view, mounted in front of the API's URLs (propdesk.urls): the API's router would add a
tenth of the event's CPU for nothing this endpoint uses (no authentication, no schema to fill:
the service reads the signed body itself). Its answers are the API's: `{"code", "message",
"field"}` with the error's status, and 503 from the site's middleware when the database is
down. The ninja operation below documents the endpoint in the API's OpenAPI document and
answers through the same view.
"""

from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Router, Schema

from propdesk.api.schemas import error_responses
from propdesk.core.errors import AppError
from propdesk.quality.services import pbx


@csrf_exempt  # signed with the shared secret; no cookie is read
def receive_call_event(request) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], content=b"Method not allowed")
    try:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > pbx.MAX_BODY_BYTES:
            raise pbx.TooLarge(
                _("The event is larger than %(n)d bytes.") % {"n": pbx.MAX_BODY_BYTES}
            )
        body = request.body
        pbx.verify(request.headers, body)
        call, applied = pbx.event_apply(pbx.parse(body))
    except AppError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"call": call.pk, "state": call.state, "applied": applied})


router = Router(tags=["telephone system"])


class CallEventOut(Schema):
    call: int
    state: str
    applied: bool


@router.post(
    "/events",
    auth=None,
    response={200: CallEventOut, **error_responses(400, 401, 413, 503)},
    summary="Receive a ring, answer or hang-up event from the telephone system",
    description=pbx.__doc__,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def call_event(request):
    return receive_call_event(request)
