"""Per-community configuration of the procedures (DESIGN.md: configuration over constants):
the inspection checklist and the decoration rules. A community starts from the company
defaults; its first change copies them into its own rows."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.money import MoneyError, parse_amount, to_fen
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community
from propdesk.frontdesk.models import DecorationRules, InspectionItem
from propdesk.frontdesk.selectors import decoration_rules_for

RULE_TIMES = ("work_start", "break_start", "break_end", "work_end")


def _clean_category(value) -> str:
    from propdesk.tickets import configuration
    from propdesk.tickets.models import Category

    code = clean_text("category_code", value, max_length=40, required=True)
    row = configuration.taxonomy_by_code(Category, code)
    if row is None or not row.is_active:
        raise ValidationFailed(
            _("Choose one of the listed request categories."), field="category_code"
        )
    return code


def _own_items(community: Community) -> None:
    if InspectionItem.objects.filter(community=community).exists():
        return
    InspectionItem.objects.bulk_create(
        InspectionItem(
            community=community,
            name=item.name,
            category_code=item.category_code,
            sort_order=item.sort_order,
            active=item.active,
        )
        for item in InspectionItem.objects.filter(community__isnull=True).order_by("sort_order")
    )


@transaction.atomic
def inspection_item_add(
    *, actor, community: Community, name: str, category_code: str = "repair_building"
) -> InspectionItem:
    require(actor, Perm.FRONTDESK_CONFIGURE, community.id)
    name = clean_text("name", name, max_length=80, required=True)
    category_code = _clean_category(category_code)
    _own_items(community)
    if InspectionItem.objects.filter(community=community, name=name).exists():
        raise ValidationFailed(_("This item is already on the checklist."), field="name")
    last = InspectionItem.objects.filter(community=community).order_by("-sort_order").first()
    item = InspectionItem.objects.create(
        community=community,
        name=name,
        category_code=category_code,
        sort_order=(last.sort_order + 1) if last else 1,
    )
    audit.record_change(actor=actor, instance=item, action="create")
    return item


@transaction.atomic
def inspection_item_update(
    *,
    actor,
    community: Community,
    item: InspectionItem,
    name: str | None = None,
    category_code: str | None = None,
    active: bool | None = None,
) -> InspectionItem:
    """Rename, re-file or retire an item; a default item is changed in the community's copy."""
    require(actor, Perm.FRONTDESK_CONFIGURE, community.id)
    if item.community_id not in (None, community.id):
        raise ValidationFailed(_("This belongs to another community."), field="item")
    if item.community_id is None:
        _own_items(community)
        item = InspectionItem.objects.get(
            community=community, name=item.name, sort_order=item.sort_order
        )
    values = {}
    if name is not None:
        values["name"] = clean_text("name", name, max_length=80, required=True)
    if category_code is not None:
        values["category_code"] = _clean_category(category_code)
    if active is not None:
        values["active"] = bool(active)
    changes = audit.apply_changes(item, values)
    if changes:
        item.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=item, action="update", changes=changes)
    return item


def _clean_time(field: str, value) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("Enter a time as HH:MM."), field=field) from exc


@transaction.atomic
def decoration_rules_update(*, actor, community: Community, **values) -> DecorationRules:
    """Change the community's hours, prohibitions, deposit or longest permit."""
    require(actor, Perm.FRONTDESK_CONFIGURE, community.id)
    rules = decoration_rules_for(community.id)
    if rules.community_id != community.id:
        default = rules
        rules = DecorationRules(
            community=community,
            **{
                f.name: getattr(default, f.name)
                for f in DecorationRules._meta.concrete_fields
                if f.name not in ("id", "community")
            },
        )
    clean = {}
    for field in RULE_TIMES:
        if values.get(field) is not None:
            clean[field] = _clean_time(field, values[field])
    if values.get("prohibitions") is not None:
        clean["prohibitions"] = clean_text("prohibitions", values["prohibitions"], max_length=3000)
    for field in ("quiet_on_rest_days", "deposit_required"):
        if values.get(field) is not None:
            clean[field] = bool(values[field])
    if values.get("deposit") is not None:
        try:
            clean["deposit_fen"] = to_fen(parse_amount(values["deposit"], allow_zero=True))
        except MoneyError as exc:
            raise ValidationFailed(str(exc.message), field="deposit") from exc
    if values.get("max_days") is not None:
        max_days = values["max_days"]
        if isinstance(max_days, bool) or not isinstance(max_days, int) or not 1 <= max_days <= 730:
            raise ValidationFailed(_("Enter 1 to 730 days."), field="max_days")
        clean["max_days"] = max_days
    times = {f: clean.get(f, getattr(rules, f)) for f in RULE_TIMES}
    if not times["work_start"] < times["break_start"] <= times["break_end"] < times["work_end"]:
        raise ValidationFailed(
            _("The hours must run: start, break from, break until, end."), field="work_end"
        )
    changes = {
        field: [v.strftime("%H:%M") if isinstance(v, datetime.time) else v for v in pair]
        for field, pair in audit.apply_changes(rules, clean).items()
    }
    if rules.pk is None:
        rules.save()
        audit.record_change(actor=actor, instance=rules, action="create", changes=changes)
    elif changes:
        rules.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=rules, action="update", changes=changes)
    return rules
