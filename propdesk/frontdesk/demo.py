"""Demo front-desk procedures, made through the services so every rule and history row holds.

`load_demo_frontdesk(communities=…, rng=…)` gives each community a few move-ins at different
steps (one just started, one half-way, one completed with an inspection whose failed item became
a repair request), an open inspection, and decoration permits (one awaiting plan review, one
issued with a patrol, one accepted). It needs the registry, the request taxonomy and the fee
schedule; houses that owe fees are passed over for steps the fee gate would hold.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.utils import timezone

from propdesk.accounts.models import Role, User
from propdesk.billing.selectors.accounts import house_dues
from propdesk.estates.models import Community, House, HouseStatus, Ownership
from propdesk.frontdesk.models import Inspection, MoveIn
from propdesk.frontdesk.procedures import STEP_CODES
from propdesk.frontdesk.services import configure, decoration, inspection, move_in

CONTRACTORS = [
    ("安居装饰工程有限公司", "赵建国"),
    ("美家装修工作室", "钱师傅"),
    ("匠心家居装饰", "孙立"),
]
SCOPES = ["厨房、卫生间翻新，更换地砖", "全屋墙面翻新，更换木地板", "阳台封闭改造，更换橱柜"]
DEFECTS = ["厨房水龙头渗水", "卧室墙面有裂缝", "入户门锁芯松动", "配电箱标识不全"]


@dataclass
class FrontdeskDemoResult:
    move_ins: dict[str, int] = field(default_factory=dict)
    inspections: int = 0
    permits: dict[str, int] = field(default_factory=dict)
    repair_requests: int = 0


def _staff(community: Community, role: str) -> User | None:
    return (
        User.objects.filter(is_active=True, role=role, communities=community).order_by("id").first()
    )


def _owned(community: Community, status: str) -> Iterator[tuple[House, object]]:
    """Houses of `status` with a primary owner, owing nothing, in a stable order (each house's
    dues are read when the caller comes to it: the demo needs only the first few)."""
    ownerships = (
        Ownership.objects.filter(
            community=community, house__status=status, end_on__isnull=True, is_primary=True
        )
        .select_related("house", "owner")
        .order_by("house_id")[:60]
    )
    return ((o.house, o.owner) for o in ownerships if not house_dues(o.house).owes)


def _tick(actor, record: MoveIn, group: str) -> None:
    for item in record.items.filter(group=group, checked_at__isnull=True):
        move_in.move_in_item_set(actor=actor, move_in=record, group=group, code=item.code)


def _steps(actor, record: MoveIn, upto: str, inspector, rng: random.Random, result) -> None:
    for code in STEP_CODES:
        if code == "verify":
            _tick(actor, record, "document")
        if code == "collect_forms":
            _tick(actor, record, "form")
        if code == "inspection":
            checklist = inspection.inspection_start(
                actor=inspector, house=record.house, move_in=record
            )
            failed = rng.randrange(checklist.results.count())
            for position, line in enumerate(checklist.results.order_by("position")):
                inspection.inspection_result_record(
                    actor=inspector,
                    result=line,
                    outcome="fail" if position == failed else "pass",
                    note=rng.choice(DEFECTS) if position == failed else "",
                )
            inspection.inspection_submit(actor=inspector, inspection=checklist)
            result.inspections += 1
            result.repair_requests += 1
        move_in.move_in_step_complete(actor=actor, move_in=record, code=code)
        if code == upto:
            return


def _apply(actor, house, owner, rng: random.Random, *, starts_on):
    contractor, leader = rng.choice(CONTRACTORS)
    return decoration.permit_apply(
        actor=actor,
        house=house,
        owner=owner,
        applicant_kind="owner",
        contractor_name=contractor,
        contractor_leader=leader,
        contractor_mobile=f"139{rng.randrange(10**8):08d}",
        workers=rng.randint(2, 6),
        scope=rng.choice(SCOPES),
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=rng.choice([30, 45, 60])),
    )


def _plan(actor, permit) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n% demo decoration plan\n", content_type="application/pdf"
    )
    decoration.permit_plan_add(actor=actor, permit=permit, uploaded=plan)


def _through_gates(agent, supervisor, permit) -> None:
    from propdesk.billing.services.payments import payment_take

    _plan(agent, permit)
    dues = house_dues(permit.house)  # the decoration fee, and the deposit where there is one
    if dues.owes:
        payment_take(
            actor=supervisor,
            house=permit.house,
            amount=str(dues.outstanding),
            method="wechat",
            idempotency_key=f"demo-decoration-{permit.id}",
            payer_name=permit.owner.name,
        )
    decoration.permit_identity_verify(actor=agent, permit=permit)
    decoration.permit_plan_review(actor=supervisor, permit=permit, approve=True)
    decoration.permit_agreement_sign(actor=agent, permit=permit)
    decoration.permit_issue(actor=agent, permit=permit)


def load_demo_frontdesk(*, communities, rng: random.Random) -> FrontdeskDemoResult:
    """Create the demo procedures of `communities` (skipped where they exist already)."""
    result = FrontdeskDemoResult()
    for community in communities:
        if MoveIn.objects.filter(community=community).exists():
            continue
        agent = _staff(community, Role.AGENT)
        supervisor = _staff(community, Role.SUPERVISOR)
        inspector = _staff(community, Role.TECHNICIAN) or agent
        guard = _staff(community, Role.GUARD) or agent
        if agent is None or supervisor is None:
            continue
        with transaction.atomic():
            _move_ins(community, agent, inspector, rng, result)
            _permits(community, agent, supervisor, guard, rng, result)
    return result


def _move_ins(community, agent, inspector, rng, result: FrontdeskDemoResult) -> None:
    stages = ["fill_forms", "keys_handover", STEP_CODES[-1], None]
    for (house, owner), upto in zip(_owned(community, HouseStatus.VACANT), stages, strict=False):
        record = move_in.move_in_start(
            actor=agent, house=house, owner=owner, applicant_kind="owner"
        )
        if upto:
            _steps(agent, record, upto, inspector, rng, result)
        record.refresh_from_db()
        result.move_ins[record.status] = result.move_ins.get(record.status, 0) + 1
    for house, _owner in islice(_owned(community, HouseStatus.OCCUPIED), 1):
        if not Inspection.objects.filter(house=house, status="open").exists():
            inspection.inspection_start(actor=inspector, house=house)
            result.inspections += 1


def _permits(community, agent, supervisor, guard, rng, result: FrontdeskDemoResult) -> None:
    today = timezone.localdate()
    # The first demo community takes a decoration deposit: billed with each application, paid
    # with the fees, and its refund asked for once the works are accepted (awaiting approval).
    deposit = not Community.objects.filter(id__lt=community.id).exists()
    if deposit:
        configure.decoration_rules_update(
            actor=supervisor, community=community, deposit_required=True, deposit="2000.00"
        )
    candidates = list(islice(_owned(community, HouseStatus.OCCUPIED), 1, 4))
    for index, (house, owner) in enumerate(candidates):
        permit = _apply(agent, house, owner, rng, starts_on=today - datetime.timedelta(days=5))
        if index == 0:
            _plan(agent, permit)  # awaiting the supervisor's review
        else:
            _through_gates(agent, supervisor, permit)
            decoration.permit_patrol_record(
                actor=guard,
                permit=permit,
                found_issue=index == 1,
                findings="楼道内堆放装修材料未及时清运" if index == 1 else "",
            )
            if index == 1:
                result.repair_requests += 1
            if index == 2:
                decoration.permit_accept(actor=agent, permit=permit, note="验收合格")
                if deposit:
                    decoration.permit_deposit_refund(
                        actor=agent, permit=permit, method="bank_transfer", reason="验收合格"
                    )
        permit.refresh_from_db()
        result.permits[permit.status] = result.permits.get(permit.status, 0) + 1
