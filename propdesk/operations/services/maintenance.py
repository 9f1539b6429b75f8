"""Maintenance plans and work orders (保养), seed 002 §1.2 and §5.3: plans repeat every N days
or months and open a work order ahead of each due day; an engineer completes it with the
checklist, readings, parts, cost, notes and photos; an open work order past its day is overdue
and escalates to the community's supervisors once, like a request past its SLA."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.audit import record_change
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.money import MoneyError, parse_amount
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.operations import error_codes
from propdesk.operations.models import (
    METRIC_RANGE,
    Equipment,
    EquipmentStatus,
    IntervalUnit,
    MaintenancePlan,
    Metric,
    OrderStatus,
    WorkOrder,
    WorkOrderPhoto,
)
from propdesk.operations.models.maintenance import MAX_ORDER_COST, add_interval


def _clean_engineer(user, community_id: int):
    if user is None:
        return None
    if not (has_perm(user, Perm.EQUIPMENT_MANAGE) and community_id in community_ids(user)):
        raise ValidationFailed(
            _("This person does not maintain equipment in this community."),
            code=error_codes.BAD_ENGINEER,
            field="assignee",
        )
    return user


def _bounded(field: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a whole number."), code=error_codes.BAD_INTERVAL, field=field
        ) from exc
    if not low <= number <= high:
        raise ValidationFailed(
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            code=error_codes.BAD_INTERVAL,
            field=field,
        )
    return number


@transaction.atomic
def plan_create(
    *,
    actor,
    equipment: Equipment,
    name,
    every,
    unit,
    first_due: datetime.date,
    lead_days=7,
    checklist: str = "",
    assignee=None,
) -> MaintenancePlan:
    """Maintain `equipment` every N days or months from `first_due` (a seasonal check: every 12
    months from the day before the season), its work order opened `lead_days` ahead."""
    require(actor, Perm.EQUIPMENT_MANAGE, equipment.community_id)
    name = clean_text("name", name, max_length=100, required=True)
    unit = clean_choice("unit", unit, IntervalUnit)
    every = _bounded("every", every, 1, 366 if unit == IntervalUnit.DAYS else 60)
    lead_days = _bounded("lead_days", lead_days, 0, 90)
    if not isinstance(first_due, datetime.date):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="first_due")
    checklist = clean_text("checklist", checklist, max_length=2000)
    plan = MaintenancePlan.objects.create(
        community_id=equipment.community_id,
        equipment=equipment,
        name=name,
        every=every,
        unit=unit,
        next_due=first_due,
        lead_days=lead_days,
        checklist="\n".join(line.strip() for line in checklist.splitlines() if line.strip()),
        assignee=_clean_engineer(assignee, equipment.community_id),
    )
    record_change(actor=actor, instance=plan, action="create")
    return plan


def work_orders_open(*, today: datetime.date | None = None) -> int:
    """Open the work orders of every active plan whose due day is within its lead; move the
    plan to its next due day. Safe to run twice (one work order per plan and day)."""
    today = today or timezone.localdate()
    opened = 0
    plans = MaintenancePlan.objects.filter(
        active=True, next_due__lte=today + datetime.timedelta(90)
    )
    for plan_id in plans.values_list("pk", flat=True):
        with transaction.atomic():
            plan = MaintenancePlan.objects.select_for_update().get(pk=plan_id)
            while plan.next_due - datetime.timedelta(days=plan.lead_days) <= today:
                try:
                    with transaction.atomic():
                        order = WorkOrder.objects.create(
                            community_id=plan.community_id,
                            equipment_id=plan.equipment_id,
                            plan=plan,
                            title=plan.name,
                            checklist=plan.checklist,
                            due_on=plan.next_due,
                            assignee_id=plan.assignee_id,
                        )
                    record_change(actor=None, instance=order, action="work_order_opened")
                    opened += 1
                except IntegrityError:
                    pass  # opened already
                plan.next_due = add_interval(plan.next_due, plan.every, plan.unit)
            plan.save(update_fields=["next_due"])
    return opened


def _clean_readings(readings) -> dict:
    if not readings:
        return {}
    if not isinstance(readings, dict) or len(readings) > len(Metric.values):
        raise ValidationFailed(
            _("Give each reading once, for a listed metric."),
            code=error_codes.BAD_READING,
            field="readings",
        )
    cleaned = {}
    for metric, value in readings.items():
        if metric not in Metric.values or isinstance(value, bool):
            raise ValidationFailed(
                _("Give each reading once, for a listed metric."),
                code=error_codes.BAD_READING,
                field="readings",
            )
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                _("Enter a number."), code=error_codes.BAD_READING, field=f"readings.{metric}"
            ) from exc
        low, high = METRIC_RANGE[metric]
        if not low <= number <= high:  # NaN fails both comparisons
            raise ValidationFailed(
                _("No device reads %(value)s here: enter a value from %(low)s to %(high)s.")
                % {"value": value, "low": f"{low:g}", "high": f"{high:g}"},
                code=error_codes.BAD_READING,
                field=f"readings.{metric}",
            )
        cleaned[metric] = number
    return cleaned


def _clean_cost(cost):
    if cost in (None, ""):
        return None
    try:
        amount = parse_amount(str(cost) if isinstance(cost, int) else cost, allow_zero=True)
    except MoneyError as exc:
        raise ValidationFailed(str(exc), code=error_codes.BAD_COST, field="cost") from exc
    if amount > MAX_ORDER_COST:
        raise ValidationFailed(
            _("The cost is too large: at most %(most)s.") % {"most": f"{MAX_ORDER_COST:,}"},
            code=error_codes.BAD_COST,
            field="cost",
        )
    return amount


@transaction.atomic
def work_order_complete(
    *,
    actor,
    work_order: WorkOrder,
    failed=(),
    readings=None,
    parts: str = "",
    cost=None,
    notes: str = "",
    photos=(),
) -> WorkOrder:
    """Record the maintenance done: the checklist items not right, readings taken, parts used,
    their cost, notes and photos. Equipment under maintenance goes back in service."""
    from propdesk.operations.services.equipment import status_record
    from propdesk.tickets.services.photos import photos_check

    require(actor, Perm.EQUIPMENT_MANAGE, work_order.community_id)
    items = work_order.checklist_items()
    failed = list(failed or [])
    if any(
        isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < len(items) for n in failed
    ):
        raise ValidationFailed(
            _("Answer the work order's own checklist."),
            code=error_codes.BAD_ANSWERS,
            field="failed",
        )
    readings = _clean_readings(readings)
    parts = clean_text("parts", parts, max_length=300)
    notes = clean_text("notes", notes, max_length=1000)
    cost = _clean_cost(cost)
    if failed and not notes:
        raise ValidationFailed(
            _("Say what is not right in the notes."),
            code=error_codes.FINDING_NEEDS_NOTE,
            field="notes",
        )
    checked = photos_check(photos)
    order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if order.status != OrderStatus.OPEN:
        raise Conflict(_("This work order is already closed."), code=error_codes.ORDER_CLOSED)
    now = timezone.now()
    order.status = OrderStatus.DONE
    order.completed_at = now
    order.completed_by = actor
    order.answers = {item: (n not in failed) for n, item in enumerate(items)}
    order.readings = readings
    order.parts = parts
    order.cost = cost
    order.notes = notes
    order.save(
        update_fields=[
            "status",
            "completed_at",
            "completed_by",
            "answers",
            "readings",
            "parts",
            "cost",
            "notes",
        ]
    )
    for upload, content_type, sha256 in checked:
        upload.seek(0)
        photo = WorkOrderPhoto(
            community_id=order.community_id,
            work_order=order,
            content_type=content_type,
            size_bytes=upload.size,
            sha256=sha256,
            uploaded_at=now,
        )
        photo.file.save(str(getattr(upload, "name", "") or "photo")[-80:], upload, save=False)
        photo.save()
    record_change(
        actor=actor,
        instance=order,
        action="work_order_completed",
        changes={"status": [OrderStatus.OPEN, OrderStatus.DONE]},
        note=notes,
    )
    equipment = Equipment.objects.get(pk=order.equipment_id)
    if equipment.status == EquipmentStatus.MAINTENANCE:
        status_record(
            actor=actor,
            equipment=equipment,
            status=EquipmentStatus.IN_SERVICE,
            note=_("Maintenance done: %(title)s") % {"title": order.title},
        )
    return order


def work_orders_escalate(*, now: datetime.datetime | None = None) -> int:
    """Escalate each open work order past its due day once: flagged on the console and a message
    to the community's supervisors through the outbox. Claimed by one statement per order."""
    from django.contrib.auth import get_user_model

    from propdesk.core.models import OutboxMessage
    from propdesk.core.outbox import message_enqueue
    from propdesk.core.permissions import holders_q

    now = now or timezone.now()
    today = timezone.localdate(now)
    escalated = 0
    overdue = WorkOrder.objects.filter(
        status=OrderStatus.OPEN, due_on__lt=today, escalated_at__isnull=True
    ).select_related("equipment")
    for order in list(overdue[:1000]):
        with transaction.atomic():
            if not WorkOrder.objects.filter(pk=order.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            record_change(actor=None, instance=order, action="work_order_escalated")
            supervisors = (
                get_user_model()
                .objects.filter(
                    holders_q(Perm.OPERATIONS_CONFIGURE), communities=order.community_id
                )
                .distinct()
            )
            for supervisor in supervisors:
                message_enqueue(
                    channel=OutboxMessage.Channel.IN_APP,
                    recipient=supervisor.username,
                    recipient_user=supervisor,
                    event="operations.work_order_overdue",
                    subject=_("Maintenance overdue: %(title)s") % {"title": order.title},
                    body=_("%(equipment)s: the work order due on %(day)s is not done.")
                    % {"equipment": order.equipment.name, "day": order.due_on.isoformat()},
                    community_id=order.community_id,
                    dedupe_key=f"work-order-overdue:{order.pk}:{supervisor.pk}",
                )
        escalated += 1
    return escalated
