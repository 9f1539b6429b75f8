"""Linking portal accounts to houses, and who besides the owners sees a house's fees.

- A signed-in person the registry does not know (or knows under another number) asks to be
  linked to a house; the desk checks their papers and approves, which records them in the
  registry: an owner's archive record gets the account, a family member or tenant is added as a
  resident with the account's mobile (DOMAIN.md §1: the archive is kept current). Entrusted
  agents are registered at the desk with the power of attorney, not through a request.
- An owner lets a tenant or agent of the house see and pay its fees (FeeGrant), and takes it back.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community, House, Owner
from propdesk.estates.services.people import resident_add
from propdesk.portal import access, error_codes
from propdesk.portal.models import FeeGrant, LinkRelation, LinkRequest
from propdesk.portal.services.signin import clean_mobile, link_owner_account, name_account
from propdesk.tickets.services._common import clean_note

MAX_PENDING = 5


def house_find(*, community_id, code: str) -> House:
    """A house by its community and code as owners write it (3-2-1502)."""
    code = str(code or "").strip().replace(" ", "")[:40]
    try:
        community_id = int(community_id)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Choose the community."), field="community") from exc
    house = House.objects.filter(community_id=community_id, code=code).first()
    if house is None or not code:
        raise NotFound(
            _("No such house in this community: write building-unit-room, e.g. 3-2-1502."),
            code=error_codes.UNKNOWN_HOUSE,
            field="house_code",
        )
    return house


@transaction.atomic
def link_request_create(*, actor, house: House, relation: str, name: str, note: str = ""):
    """A portal account asks to be linked to `house` as `relation`."""
    if not access.is_portal_user(actor):
        raise ValidationFailed(_("Sign in to the owner portal first."), field="user")
    if relation not in LinkRelation.values:
        raise ValidationFailed(_("Choose one of the listed relations."), field="relation")
    name = clean_note("name", name, max_length=100, required=True)
    note = clean_note("note", note, max_length=300)
    if house.pk in access.house_ids(actor):
        raise Conflict(
            _("You are already linked to this house."),
            code=error_codes.ALREADY_LINKED,
            field="house",
        )
    pending = LinkRequest.objects.filter(user=actor, status=LinkRequest.Status.PENDING)
    if pending.filter(house=house).exists():
        raise Conflict(
            _("You have already asked to be linked to this house; the service centre is checking."),
            code=error_codes.ALREADY_ASKED,
            field="house",
        )
    if pending.count() >= MAX_PENDING:
        raise Conflict(_("Wait until your earlier requests are checked."), field="house")
    link_request = LinkRequest.objects.create(
        community_id=house.community_id,
        house=house,
        user=actor,
        relation=relation,
        name=name,
        note=note,
    )
    audit.record_change(
        actor=actor,
        instance=link_request,
        action="link_requested",
        house_id=house.pk,
        changes={"relation": [None, relation]},
    )
    return link_request


def _locked_pending(link_request: LinkRequest) -> LinkRequest:
    link_request = LinkRequest.objects.select_for_update().get(pk=link_request.pk)
    if link_request.status != LinkRequest.Status.PENDING:
        raise Conflict(
            _("This request has already been decided."), code=error_codes.DECIDED, field="status"
        )
    return link_request


@transaction.atomic
def link_request_approve(
    *,
    actor,
    link_request: LinkRequest,
    owner: Owner | None = None,
    lease_start: datetime.date | None = None,
    lease_end: datetime.date | None = None,
    note: str = "",
) -> LinkRequest:
    """The desk has checked the papers: record the person in the registry and link the account.

    Owners and co-owners: `owner` is the house's current archive record that is this person.
    Family members and tenants: a resident is added with the account's mobile (tenants need the
    lease dates).
    """
    require(actor, Perm.PORTAL_LINK_VERIFY, link_request.community_id)
    link_request = _locked_pending(link_request)
    note = clean_note("note", note, max_length=300)
    user = link_request.user
    house = House.objects.get(pk=link_request.house_id)
    if link_request.relation in (LinkRelation.OWNER, LinkRelation.CO_OWNER):
        if owner is None or not owner.ownerships.filter(house=house, end_on__isnull=True).exists():
            raise ValidationFailed(
                _("Choose the owner of this house that the person is."), field="owner"
            )
        if owner.user_id not in (None, user.pk):
            raise Conflict(
                _("This owner is already linked to another portal account."),
                code=error_codes.OWNER_LINKED,
                field="owner",
            )
        if Owner.objects.filter(user=user).exclude(pk=owner.pk).exists():
            raise Conflict(
                _("This account is already linked to another owner record."),
                code=error_codes.ACCOUNT_LINKED,
                field="owner",
            )
        link_owner_account(user, owner)
        audit.record_change(
            actor=actor,
            instance=owner,
            action="portal_account_linked",
            owner_id=owner.pk,
            house_id=house.pk,
            object_repr=owner.name,
        )
    else:
        if not user.mobile:
            raise ValidationFailed(_("The account has no mobile number."), field="user")
        resident_add(
            actor=actor,
            house=house,
            relation=link_request.relation,
            name=link_request.name,
            mobile=user.mobile,
            lease_start=lease_start,
            lease_end=lease_end,
            note=_("Linked from the owner portal"),
        )
        name_account(user, link_request.name)
    link_request.status = LinkRequest.Status.APPROVED
    link_request.decided_by = actor
    link_request.decided_at = timezone.now()
    link_request.decision_note = note
    link_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record_change(
        actor=actor,
        instance=link_request,
        action="link_approved",
        house_id=house.pk,
        changes={"status": [LinkRequest.Status.PENDING, LinkRequest.Status.APPROVED]},
    )
    return link_request


@transaction.atomic
def link_request_reject(*, actor, link_request: LinkRequest, note: str) -> LinkRequest:
    """The papers do not show the relation: refused, with the reason the person is told."""
    require(actor, Perm.PORTAL_LINK_VERIFY, link_request.community_id)
    link_request = _locked_pending(link_request)
    note = clean_note("note", note, max_length=300, required=True)
    link_request.status = LinkRequest.Status.REJECTED
    link_request.decided_by = actor
    link_request.decided_at = timezone.now()
    link_request.decision_note = note
    link_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record_change(
        actor=actor,
        instance=link_request,
        action="link_rejected",
        house_id=link_request.house_id,
        changes={"status": [LinkRequest.Status.PENDING, LinkRequest.Status.REJECTED]},
        note=note,
    )
    return link_request


@transaction.atomic
def fee_grant_add(*, actor, house_id, mobile) -> FeeGrant:
    """An owner lets the tenant or agent with `mobile` see and pay this house's fees."""
    right = access.owned_right_for(actor, house_id)
    mobile = clean_mobile(mobile)
    house = right.house
    if mobile not in {p["mobile"] for p in grantable_people(house)}:
        raise ValidationFailed(
            _("Only a tenant or entrusted agent of this house can be given access to its fees."),
            code=error_codes.NOT_GRANTABLE,
            field="mobile",
        )
    grant = FeeGrant.objects.filter(house=house, mobile=mobile, revoked_at__isnull=True).first()
    if grant is not None:
        return grant
    grant = FeeGrant.objects.create(
        community_id=house.community_id, house=house, mobile=mobile, granted_by=actor
    )
    audit.record_change(actor=actor, instance=grant, action="fee_grant_added", house_id=house.pk)
    return grant


@transaction.atomic
def fee_grant_revoke(*, actor, house_id, grant_id) -> FeeGrant:
    right = access.owned_right_for(actor, house_id)
    try:
        grant_id = int(grant_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    grant = (
        FeeGrant.objects.select_for_update()
        .filter(pk=grant_id, house=right.house, revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        raise NotFound()
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record_change(
        actor=actor, instance=grant, action="fee_grant_revoked", house_id=right.house.pk
    )
    return grant


def grantable_people(house: House) -> list[dict]:
    """Tenants, other occupants and entrusted agents of the house with a mobile, and whether
    they see its fees now (the owner's fee-visibility page)."""
    today = timezone.localdate()
    people = [
        {"name": r.name, "mobile": r.mobile, "relation": r.relation}
        for r in house.residents.filter(moved_out_on__isnull=True)
        .exclude(relation="family")
        .exclude(mobile="")
    ]
    people += [
        {"name": a.name, "mobile": a.mobile, "relation": "agent"}
        for a in house.agents.filter(revoked_at__isnull=True, valid_from__lte=today)
        if a.valid_until is None or a.valid_until >= today
    ]
    grants = {
        g.mobile: g
        for g in FeeGrant.objects.filter(house=house, revoked_at__isnull=True).order_by("id")
    }
    for person in people:
        person["grant"] = grants.get(person["mobile"])
    return people


def communities_for_linking():
    return Community.objects.order_by("name")
