"""Registry endpoints: thin, each one access helper → schema → one service or selector."""

from ninja import Router, Schema

from propdesk.estates.search import registry_search as run_search

router = Router(tags=["registry"])


class SearchHitOut(Schema):
    match: str
    label: str
    community_name: str
    house_id: int | None
    house_code: str
    owner_id: int | None
    person_name: str
    mobile_masked: str


@router.get("/search", response=list[SearchHitOut], summary="Front-desk registry search")
def registry_search(request, q: str = ""):
    return run_search(request.auth, q[:40])
