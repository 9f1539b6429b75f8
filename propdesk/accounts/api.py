"""API tokens for integrations (administrators only): list, create (key shown once), revoke."""

import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from propdesk.accounts import services
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, Line, PathId

router = Router(tags=["tokens"])


class ApiTokenIn(Schema):
    name: Line(80, required=True) = Field(..., description="The integration this token is for")
    user: Id = Field(..., description="The user the token acts as; it has that user's rights")


class ApiTokenOut(Schema):
    id: int
    name: str
    user: int
    username: str
    key_prefix: str = Field(..., description="The first characters of the key, to recognise it")
    created_by: int
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    is_active: bool

    @staticmethod
    def resolve_user(obj) -> int:
        return obj.user_id

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_created_by(obj) -> int:
        return obj.created_by_id


class ApiTokenCreatedOut(ApiTokenOut):
    key: str = Field(..., description="The secret key. It is shown this once and never again.")


@router.get("", response={200: list[ApiTokenOut], **READ_ERRORS}, summary="API tokens")
def token_list(request):
    return services.api_token_list(actor=request.auth)


@router.post(
    "",
    response={201: ApiTokenCreatedOut, **WRITE_ERRORS},
    summary="Create an API token; the response carries the key, shown only this once",
)
def token_create(request, payload: ApiTokenIn, response: HttpResponse):
    actor = request.auth
    user = services.token_user_get(actor=actor, user_id=payload.user)
    token, key = services.api_token_create(actor=actor, user=user, name=payload.name)
    token.key = key
    response["Cache-Control"] = "no-store"
    return Status(201, token)


@router.post(
    "/{token_id}/revoke",
    response={200: ApiTokenOut, **WRITE_ERRORS},
    summary="Revoke an API token",
)
def token_revoke(request, token_id: PathId):
    actor = request.auth
    token = services.api_token_get(actor=actor, token_id=token_id)
    return services.api_token_revoke(actor=actor, token=token)
