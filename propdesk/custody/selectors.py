"""Reads of keys, passes and the document register, scoped to who asks (STYLE.md rule 4).

Staff see their communities' rows (keys and passes with FRONTDESK_VIEW, the document register
with DOCUMENTS_REGISTER); owners see only the passes of houses they hold now. A row out of reach
is NotFound, never a hint that it exists.
"""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from propdesk.core.errors import NotFound
from propdesk.core.models import AuditEvent
from propdesk.core.permissions import Perm, community_ids, get_scoped, require, scope
from propdesk.custody.models import (
    DocumentLoan,
    Key,
    KeyLoan,
    PassStatus,
    RegisteredDocument,
    ReleasePass,
    WarrantyContractor,
)
from propdesk.estates import owner_access
from propdesk.estates.models import House


def _community_filter(queryset: QuerySet, user, community_id) -> QuerySet:
    if community_id:
        try:
            community_id = int(community_id)
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
        if community_id not in community_ids(user):
            raise NotFound()
        queryset = queryset.filter(community_id=community_id)
    return queryset


def timeline(instance, limit: int = 100) -> list[AuditEvent]:
    """The history rows of one key, pass or document, newest first."""
    return list(
        AuditEvent.objects.filter(
            object_type=instance._meta.model_name, object_id=instance.pk
        ).select_related("actor")[:limit]
    )


# --- keys ---------------------------------------------------------------------------------------


def _open_loans() -> Prefetch:
    return Prefetch(
        "loans",
        queryset=KeyLoan.objects.filter(returned_at__isnull=True).select_related("lent_by"),
        to_attr="open_loans",
    )


def key_list(
    user,
    *,
    community_id=None,
    q: str = "",
    status: str = "",
    kind: str = "",
    overdue: bool = False,
    house: House | None = None,
) -> QuerySet[Key]:
    keys = scope(Key.objects.all(), user, Perm.FRONTDESK_VIEW)
    keys = _community_filter(keys, user, community_id)
    if q.strip():
        text = q.strip()[:60]
        keys = keys.filter(Q(label__icontains=text) | Q(house__code__startswith=text))
    if status:
        keys = keys.filter(status=status)
    if kind:
        keys = keys.filter(kind=kind)
    if house is not None:
        keys = keys.filter(house=house)
    if overdue:
        keys = keys.filter(
            loans__returned_at__isnull=True, loans__due_at__lt=timezone.now()
        ).distinct()
    return (
        keys.select_related("house", "community")
        .prefetch_related(_open_loans())
        .order_by("community_id", "label")
    )


def key_for_user(user, key_id, perm: Perm = Perm.FRONTDESK_VIEW) -> Key:
    key = get_scoped(Key.objects.select_related("house", "community"), user, key_id, perm)
    key.open_loans = list(KeyLoan.objects.filter(key=key, returned_at__isnull=True))
    return key


def key_loans(key: Key, limit: int = 50) -> list[KeyLoan]:
    return list(
        key.loans.select_related(
            "lent_by", "returned_to", "contractor", "authority_letter", "confirming_owner"
        )[:limit]
    )


def overdue_loans(user, *, community_id=None) -> QuerySet[KeyLoan]:
    loans = scope(KeyLoan.objects.all(), user, Perm.FRONTDESK_VIEW)
    loans = _community_filter(loans, user, community_id)
    return (
        loans.filter(returned_at__isnull=True, due_at__lt=timezone.now())
        .select_related("key", "house", "lent_by")
        .order_by("due_at")
    )


def contractor_list(user, *, community_id=None, active_only: bool = False):
    contractors = scope(WarrantyContractor.objects.all(), user, Perm.FRONTDESK_VIEW)
    contractors = _community_filter(contractors, user, community_id)
    if active_only:
        contractors = contractors.filter(active=True)
    return contractors.order_by("community_id", "company", "id")


def contractor_list_for_community(community_id: int) -> QuerySet[WarrantyContractor]:
    """The active contractors of a community whose key the caller already holds in scope."""
    return WarrantyContractor.objects.filter(community_id=community_id, active=True).order_by(
        "company", "id"
    )


def contractor_for_user(user, contractor_id, perm: Perm = Perm.KEYS_MANAGE) -> WarrantyContractor:
    return get_scoped(WarrantyContractor.objects.all(), user, contractor_id, perm)


# --- passes -------------------------------------------------------------------------------------

PASS_STATES = ["pending", "approved", "expired", "used", "rejected", "cancelled"]


def _owner_passes_q(user) -> Q:
    """An owner's passes: of the houses it owns, from its ownership on, and of its past
    ownership (estates.owner_access)."""
    return owner_access.rows_q(user, at="applied_at", owning=True)


def passes_visible_to(user) -> QuerySet[ReleasePass]:
    if owner_access.is_owner_account(user):
        return ReleasePass.objects.filter(_owner_passes_q(user))
    return scope(ReleasePass.objects.all(), user, Perm.FRONTDESK_VIEW)


def pass_list(
    user,
    *,
    community_id=None,
    state: str = "",
    q: str = "",
    release_on: datetime.date | None = None,
    house: House | None = None,
) -> QuerySet[ReleasePass]:
    passes = passes_visible_to(user)
    if not owner_access.is_owner_account(user):
        passes = _community_filter(passes, user, community_id)
    now = timezone.now()
    if state == "expired":
        passes = passes.filter(status=PassStatus.APPROVED, valid_until__lt=now)
    elif state == "approved":
        passes = passes.filter(status=PassStatus.APPROVED, valid_until__gte=now)
    elif state:
        passes = passes.filter(status=state)
    if q.strip():
        text = q.strip()[:60]
        code = text.replace("-", "").upper()
        passes = passes.filter(
            Q(code=code) | Q(house__code__startswith=text) | Q(applicant_name__startswith=text)
        )
    if release_on:
        passes = passes.filter(release_on=release_on)
    if house is not None:
        passes = passes.filter(house=house)
    return passes.select_related(
        "house", "community", "applied_by", "decided_by", "used_by"
    ).order_by("-applied_at", "-id")


def pass_for_user(user, pass_id, perm: Perm = Perm.FRONTDESK_VIEW) -> ReleasePass:
    queryset = ReleasePass.objects.select_related(
        "house", "community", "owner", "resident", "agent", "applied_by", "decided_by", "used_by"
    )
    if owner_access.is_owner_account(user):
        if perm != Perm.FRONTDESK_VIEW:
            require(user, perm)
        try:
            pass_id = int(pass_id)
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
        found = queryset.filter(_owner_passes_q(user), pk=pass_id).first()
        if found is None:
            raise NotFound()
        return found
    return get_scoped(queryset, user, pass_id, perm)


def house_for_pass(user, house_id) -> House:
    """The house a pass is applied for: an owner's own house, or one in the staff's communities."""
    if owner_access.is_owner_account(user):
        try:
            house_id = int(house_id)
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
        if house_id not in owner_access.owned_house_ids(user):
            raise NotFound()
        return House.objects.select_related("community").get(pk=house_id)
    return get_scoped(House.objects.select_related("community"), user, house_id, Perm.RELEASE_ISSUE)


# --- document register --------------------------------------------------------------------------


def document_list(
    user,
    *,
    community_id=None,
    q: str = "",
    category: str = "",
    status: str = "",
    house: House | None = None,
) -> QuerySet[RegisteredDocument]:
    documents = scope(RegisteredDocument.objects.all(), user, Perm.DOCUMENTS_REGISTER)
    documents = _community_filter(documents, user, community_id)
    if q.strip():
        text = q.strip()[:60]
        documents = documents.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(counterparty__icontains=text)
            | Q(reference__icontains=text)
            | Q(keywords__icontains=text)
            | Q(location__icontains=text)
        )
    if category:
        documents = documents.filter(category=category)
    if status:
        documents = documents.filter(status=status)
    if house is not None:
        documents = documents.filter(house=house)
    return documents.select_related("house", "registered_by").order_by("-registered_at", "-id")


def document_for_user(user, document_id) -> RegisteredDocument:
    return get_scoped(
        RegisteredDocument.objects.select_related("house", "registered_by", "community"),
        user,
        document_id,
        Perm.DOCUMENTS_REGISTER,
    )


def document_loans(document: RegisteredDocument) -> list[DocumentLoan]:
    return list(document.loans.select_related("lent_by", "returned_to")[:50])
