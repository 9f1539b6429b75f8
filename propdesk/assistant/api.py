"""The assistant app's API router, mounted at /api/assistant/.

`POST /api/assistant/triage` with `{"text": "..."}` → `{"category", "kind", "urgency",
"department", "confidence": {...}, "evidence": [...]}`, for staff (token or session). The text is
checked by the service (5 to 5,000 characters, no control characters) so the API, the forms and
the command line answer bad text the same way; markup is only text here and never rendered.
"""

from typing import Any

from ninja import Field, Query, Router, Schema

from propdesk.api.schemas import MAX_ID, Id, error_responses
from propdesk.assistant import services

router = Router(tags=["assistant"])


class TriageIn(Schema):
    text: Any = Field(..., description="Title and body of the message, 5 to 5,000 characters")
    community: Id | None = Field(
        None, description="Route to this community's departments (default: your only community)"
    )


class ConfidenceOut(Schema):
    category: float
    kind: float
    urgency: float


class TriageOut(Schema):
    category: str = Field(..., description="One of the 13 category codes, e.g. repair_water")
    kind: str = Field(..., description="complaint, repair, inquiry, suggestion, help or praise")
    urgency: str = Field(..., description="emergency or normal")
    department: str = Field(..., description="Department code from the routing rules")
    confidence: ConfidenceOut
    evidence: list[str] = Field(..., description="Words that drove the suggestion")


@router.post(
    "/triage",
    response={200: TriageOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Suggest category, kind, urgency and department for a message",
)
def triage(request, payload: TriageIn):
    suggestion = services.triage_for(request.user, payload.text, community_id=payload.community)
    return suggestion.as_dict()


# --- maintenance outreach ---------------------------------------------------------------------


class OutreachCandidateOut(Schema):
    category: str = Field(..., description="Repair category code, e.g. repair_water")
    category_label: str
    house: int | None = Field(None, description="House id (water and power faults)")
    building: int | None = Field(None, description="Building id (lifts and common parts)")
    place: str = Field(..., description="House code, or the building's common parts")
    score: float
    reports: int = Field(..., description="Reports of this fault here in two years")
    days_since_last: int
    typical_gap_days: int | None
    in_season: bool
    reason: str = Field(..., description="Why the place is on the list, in words")
    owner: str = Field("", description="The owner to call (name)")
    owner_mobile: str = Field("", description="Masked; reveal through POST /api/reveal")


class OutreachIn(Schema):
    community: Id
    category: Any = Field(
        ..., description="repair_water, repair_electric, repair_elevator or repair_building"
    )
    house: Id | None = None
    building: Id | None = None
    outcome: Any = Field(..., description="booked, no_need, declined or unreachable")
    note: Any = ""
    visit_at: Any = Field(None, description="When booked: the visit time, ISO 8601")


class OutreachOut(Schema):
    id: int
    outcome: str
    reason: str
    request: int | None = Field(None, description="The repair request a booked visit filed")
    request_number: str = ""


@router.get(
    "/maintenance",
    response={200: list[OutreachCandidateOut], **error_responses(400, 401, 403, 404, 422)},
    summary="The maintenance outreach list of a community, most likely repeat first",
)
def maintenance_list(request, community: int = Query(..., ge=1, le=MAX_ID)):
    from propdesk.assistant import outreach
    from propdesk.core.permissions import Perm
    from propdesk.estates.selectors import community_for_user

    chosen = community_for_user(request.user, community, Perm.MAINTENANCE_OUTREACH)
    return [
        {
            **{
                k: getattr(row.candidate, k)
                for k in ("category", "score", "reports", "days_since_last", "typical_gap_days")
            },
            "in_season": row.candidate.in_season,
            "reason": row.candidate.reason,
            "house": row.candidate.house_id,
            "building": row.candidate.building_id,
            "category_label": row.category_label,
            "place": row.place_label,
            "owner": row.owner_name,
            "owner_mobile": row.owner_mobile_masked,
        }
        for row in outreach.outreach_list(actor=request.user, community=chosen)
    ]


@router.post(
    "/maintenance/outreach",
    response={201: OutreachOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Record a call from the outreach list (a booked visit files a repair request)",
)
def maintenance_outreach(request, payload: OutreachIn):
    from propdesk.assistant import outreach
    from propdesk.core.permissions import Perm
    from propdesk.estates.selectors import community_for_user

    chosen = community_for_user(request.user, payload.community, Perm.MAINTENANCE_OUTREACH)
    record = outreach.outreach_record(
        actor=request.user,
        community=chosen,
        category=payload.category,
        house_id=payload.house,
        building_id=payload.building,
        outcome=payload.outcome,
        note=payload.note,
        visit_at=payload.visit_at,
    )
    return 201, {
        "id": record.pk,
        "outcome": record.outcome,
        "reason": record.reason,
        "request": record.request_id,
        "request_number": record.request.number if record.request_id else "",
    }
