"""Every front-desk endpoint × every role: who may call it, and what the others get.

Allowed roles get the endpoint's success status (or, where the record's state says no, its
409); the other roles of community A 403, the agent of community B 404 (the record is not in
their communities), owners 403 and anonymous callers 401. Each call runs in a transaction that
is rolled back, so every role meets the same records; refused calls write nothing.
"""

from types import SimpleNamespace

import pytest
from django.db import transaction

from propdesk.api.tests.helpers import ROLES
from propdesk.frontdesk.tests.conftest import (
    TODAY,
    pay_all,
    pdf_upload,
    permit_for,
    png_upload,
    record_all,
    snapshot,
    tick_documents,
)

pytestmark = pytest.mark.django_db

VIEW = {"agent", "supervisor", "technician", "guard", "admin"}
DESK = {"agent", "supervisor", "admin"}
INSPECT = {"agent", "supervisor", "technician", "admin"}
PATROL = {"agent", "supervisor", "technician", "guard", "admin"}
SUPERVISE = {"supervisor", "admin"}
REQUESTS = {"agent", "supervisor", "technician", "guard", "cashier", "admin"}


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": 403, "other_agent": other_agent, "anonymous": 401})
    return expected


@pytest.fixture
def world(
    agent, supervisor, technician, admin, move_in_by_agent, new_house, house_a, zhang_san, wang_wu
):
    from propdesk.estates import services as estates
    from propdesk.frontdesk.services import configure, decoration, inspection

    configure.decoration_rules_update(
        actor=supervisor, community=house_a.community, deposit_required=True
    )
    tick_documents(agent, move_in_by_agent)
    open_inspection = inspection.inspection_start(
        actor=technician, house=new_house, move_in=move_in_by_agent
    )
    record_all(technician, open_inspection, fail={"给水、排水"})
    defects = inspection.inspection_start(actor=technician, house=house_a)
    record_all(technician, defects, fail={"入户门"})
    inspection.inspection_submit(actor=technician, inspection=defects)

    def apply(house):
        return permit_for(agent, house, zhang_san)

    applied = apply(house_a)
    other = estates.house_create(
        actor=admin,
        building=house_a.building,
        unit_number="2",
        number="1701",
        floor=17,
        area_m2="90",
        status="occupied",
    )
    estates.ownership_add(actor=admin, house=other, owner=zhang_san, start_on=TODAY)
    issued = apply(other)
    pay_all(other)
    decoration.permit_identity_verify(actor=agent, permit=issued)
    decoration.permit_plan_review(actor=supervisor, permit=issued, approve=True)
    decoration.permit_agreement_sign(actor=agent, permit=issued)
    decoration.permit_issue(actor=agent, permit=issued)
    item = open_inspection.results.order_by("position").first()
    return SimpleNamespace(
        community=house_a.community,
        move_in=move_in_by_agent,
        house=new_house,
        house_a=house_a,
        owner=zhang_san,
        li_si=move_in_by_agent.owner,
        inspection=open_inspection,
        result=item,
        defects=defects,
        applied=applied,
        issued=issued,
    )


def permit_body(w):
    return {
        "house": w.house.id,
        "owner": w.li_si.id,
        "contractor_name": "新家装饰",
        "contractor_leader": "钱工",
        "contractor_mobile": "13500004444",
        "workers": 2,
        "scope": "铺地板",
        "starts_on": "2026-07-11",
        "ends_on": "2026-07-30",
    }


C = "/api/frontdesk"
# name: (method, path(world), body(world) or None, expected statuses)
ENDPOINTS = {
    "move_in_list": ("get", lambda w: f"{C}/move-ins", None, outcomes(200, VIEW, other_agent=200)),
    "move_in_detail": ("get", lambda w: f"{C}/move-ins/{w.move_in.id}", None, outcomes(200, VIEW)),
    "move_in_record": (
        "get",
        lambda w: f"{C}/move-ins/{w.move_in.id}/record.pdf",
        None,
        outcomes(200, VIEW),
    ),
    "move_in_start": (
        "post",
        lambda w: f"{C}/move-ins",
        lambda w: {"house": w.house_a.id, "owner": w.owner.id, "applicant_kind": "owner"},
        outcomes(409, DESK),  # 3-2-1502 is occupied: the role passes, the house refuses
    ),
    "move_in_item": (
        "post",
        lambda w: f"{C}/move-ins/{w.move_in.id}/items",
        lambda w: {"group": "form", "code": "household_card"},
        outcomes(200, DESK),
    ),
    "move_in_step": (
        "post",
        lambda w: f"{C}/move-ins/{w.move_in.id}/steps",
        lambda w: {"step": "verify", "note": "原件已核"},
        outcomes(200, DESK),
    ),
    "move_in_scan": (
        "upload",
        lambda w: f"{C}/move-ins/{w.move_in.id}/documents/purchase_invoice/scan",
        lambda w: {"file": pdf_upload()},
        outcomes(200, DESK),
    ),
    "move_in_cancel": (
        "post",
        lambda w: f"{C}/move-ins/{w.move_in.id}/cancel",
        lambda w: {"reason": "改期"},
        outcomes(200, DESK),
    ),
    "inspection_list": (
        "get",
        lambda w: f"{C}/inspections",
        None,
        outcomes(200, VIEW, other_agent=200),
    ),
    "inspection_detail": (
        "get",
        lambda w: f"{C}/inspections/{w.inspection.id}",
        None,
        outcomes(200, VIEW),
    ),
    "inspection_start": (
        "post",
        lambda w: f"{C}/inspections",
        lambda w: {"house": w.house_a.id},
        outcomes(201, INSPECT),
    ),
    "inspection_result": (
        "upload",
        lambda w: f"{C}/inspections/{w.inspection.id}/results/{w.result.id}",
        lambda w: {"outcome": "fail", "note": "地面空鼓", "photo": png_upload()},
        outcomes(200, INSPECT),
    ),
    "inspection_submit": (
        "post",
        lambda w: f"{C}/inspections/{w.inspection.id}/submit",
        None,
        outcomes(200, INSPECT),
    ),
    "reinspection": (
        "post",
        lambda w: f"{C}/inspections/{w.defects.id}/reinspection",
        None,
        outcomes(201, INSPECT),
    ),
    "permit_list": ("get", lambda w: f"{C}/permits", None, outcomes(200, VIEW, other_agent=200)),
    "permit_detail": ("get", lambda w: f"{C}/permits/{w.applied.id}", None, outcomes(200, VIEW)),
    "permit_pdf": (
        "get",
        lambda w: f"{C}/permits/{w.issued.id}/permit.pdf",
        None,
        outcomes(200, VIEW),
    ),
    "permit_apply": ("post", lambda w: f"{C}/permits", permit_body, outcomes(201, DESK)),
    "permit_plan": (
        "upload",
        lambda w: f"{C}/permits/{w.applied.id}/plans",
        lambda w: {"file": pdf_upload()},
        outcomes(200, DESK),
    ),
    "permit_identity": (
        "post",
        lambda w: f"{C}/permits/{w.applied.id}/identity",
        None,
        outcomes(200, DESK),
    ),
    "permit_plan_review": (
        "post",
        lambda w: f"{C}/permits/{w.applied.id}/plan-review",
        lambda w: {"approve": True},
        outcomes(200, SUPERVISE),
    ),
    "permit_agreement": (
        "post",
        lambda w: f"{C}/permits/{w.applied.id}/agreement",
        None,
        outcomes(200, DESK),
    ),
    "permit_issue": (
        "post",
        lambda w: f"{C}/permits/{w.applied.id}/issue",
        None,
        outcomes(409, DESK),  # the decoration fee is unpaid: the fee gate refuses
    ),
    "permit_patrol": (
        "post",
        lambda w: f"{C}/permits/{w.issued.id}/patrols",
        lambda w: {"found_issue": True, "findings": "楼道堆放建材"},
        outcomes(201, PATROL),
    ),
    "permit_accept": (
        "post",
        lambda w: f"{C}/permits/{w.issued.id}/accept",
        lambda w: {"note": "合格"},
        outcomes(200, DESK),
    ),
    "permit_refund": (
        "post",
        lambda w: f"{C}/permits/{w.issued.id}/deposit-refund",
        lambda w: {"method": "cash"},
        outcomes(409, DESK),  # not accepted yet
    ),
    "permit_cancel": (
        "post",
        lambda w: f"{C}/permits/{w.applied.id}/cancel",
        lambda w: {"reason": "暂缓"},
        outcomes(200, DESK),
    ),
    "active_permit": (
        "get",
        lambda w: f"{C}/houses/{w.issued.house_id}/active-permit",
        None,
        outcomes(200, REQUESTS),
    ),
    "inspection_items": (
        "get",
        lambda w: f"{C}/communities/{w.community.id}/inspection-items",
        None,
        outcomes(200, VIEW),
    ),
    "inspection_item_add": (
        "post",
        lambda w: f"{C}/communities/{w.community.id}/inspection-items",
        lambda w: {"name": "阳台防水", "category_code": "repair_water"},
        outcomes(201, SUPERVISE),
    ),
    "inspection_item_update": (
        "patch",
        lambda w: f"{C}/communities/{w.community.id}/inspection-items/{_default_item_id()}",
        lambda w: {"active": False},
        outcomes(200, SUPERVISE),
    ),
    "rules": (
        "get",
        lambda w: f"{C}/communities/{w.community.id}/decoration-rules",
        None,
        outcomes(200, VIEW),
    ),
    "rules_update": (
        "patch",
        lambda w: f"{C}/communities/{w.community.id}/decoration-rules",
        lambda w: {"work_start": "08:30", "deposit": "1000.00"},
        outcomes(200, SUPERVISE),
    ),
}


def _default_item_id() -> int:
    from propdesk.frontdesk.models import InspectionItem

    return InspectionItem.objects.filter(community__isnull=True).order_by("id").first().id


def call(api, role, method, path, body):
    if method == "get":
        return api.get(role, path)
    if method == "upload":
        return api.upload(role, path, body or {})
    return getattr(api, method)(role, path, body)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_role_gets_what_the_policy_says(api, world, name):
    method, path, body, expected = ENDPOINTS[name]
    for role in ROLES:
        with transaction.atomic():
            before = snapshot()
            response = call(api, role, method, path(world), body(world) if body else None)
            assert response.status_code == expected[role], (role, response.content[:300])
            if response.status_code >= 400:
                assert response.json()["code"]
                assert snapshot() == before, role
            transaction.set_rollback(True)
