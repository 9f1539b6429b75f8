"""Asking the knowledge base on the portal, with feedback and the hand-off to a person.

A question is answered with the best entry for the owner's community and its confidence; the
owner says whether it helped; when it did not, when the answer was unsure, or whenever the owner
asks for a person, the question becomes an inquiry (咨询) request through the portal's own
service, so it starts on the inquiry reply clock (24 hours) and reaches the customer-service queue.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.assistant import error_codes, faq, services
from propdesk.assistant.models import FaqAsk
from propdesk.core.errors import Conflict, NotFound, PermissionDenied


def _owner_right(actor, house_id):
    from propdesk.portal import access

    if not access.is_portal_user(actor):
        raise PermissionDenied(_("These pages are for owners."), code=error_codes.OWNERS_ONLY)
    rights = access.house_rights(actor)
    if not rights:
        raise PermissionDenied(
            _("Ask to be linked to your house first."), code=error_codes.NOT_LINKED
        )
    if house_id in (None, ""):
        return rights[0]
    try:
        return access.right_for(actor, house_id)
    except NotFound as exc:
        raise NotFound(
            _("No such house among yours."), code=error_codes.NOT_FOUND, field="house"
        ) from exc


@transaction.atomic
def ask(*, actor, question, house_id=None) -> tuple[FaqAsk, faq.Answer | None]:
    right = _owner_right(actor, house_id)
    text = services.clean_message(question, field="question")[:500]
    community = right.house.community
    answer = faq.best(text, community=community)
    record = FaqAsk.objects.create(
        community=community,
        asked_by=actor,
        question=text,
        entry_key=answer.entry.key if answer else "",
        confidence=answer.confidence if answer else 0.0,
    )
    return record, answer


def own(actor, ask_id) -> FaqAsk:
    try:
        pk = int(ask_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    record = FaqAsk.objects.filter(pk=pk, asked_by=actor).first()
    if record is None:
        raise NotFound()
    return record


@transaction.atomic
def feedback(*, actor, ask_id, helpful: bool) -> FaqAsk:
    record = own(actor, ask_id)
    record.helpful = helpful
    record.save(update_fields=["helpful"])
    return record


@transaction.atomic
def hand_off(*, actor, ask_id, house_id=None):
    """File the question as an inquiry request (once); returns the request."""
    from propdesk.portal.services import requests as portal_requests

    record = FaqAsk.objects.select_for_update().filter(pk=own(actor, ask_id).pk).get()
    if record.request_id:
        raise Conflict(
            _("This question was already sent to a person."), code=error_codes.HANDED_OFF
        )
    right = _owner_right(actor, house_id)
    suggestion = services.suggest(record.question, community_id=right.house.community_id)
    created = portal_requests.request_submit(
        actor=actor,
        house_id=right.house.pk,
        kind="inquiry",
        category=suggestion.category,
        description=record.question,
    )
    record.request = created
    record.save(update_fields=["request"])
    return created
