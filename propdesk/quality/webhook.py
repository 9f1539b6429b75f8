"""The telephone system's events (/api/calls/events): signed, not logged in; see services/pbx."""

from django.utils.translation import gettext as _
from ninja import Router, Schema

from propdesk.api.schemas import error_responses
from propdesk.quality.services import pbx

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
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > pbx.MAX_BODY_BYTES:
        raise pbx.TooLarge(_("The event is larger than %(n)d bytes.") % {"n": pbx.MAX_BODY_BYTES})
    body = request.body
    pbx.verify(request.headers, body)
    call, applied = pbx.event_apply(pbx.parse(body))
    return {"call": call.pk, "state": call.state, "applied": applied}
