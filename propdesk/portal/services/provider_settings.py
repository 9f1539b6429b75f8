"""An administrator enters a company's credentials at WeChat Pay or Alipay (company-wide:
`PAYMENT_PROVIDERS`, administrators only). They are checked (payments.credentials), sealed
(payments.vault, core.secrets) and never shown again: the settings page shows only the
masked merchant id and the certificate's serial and expiry. A secret left blank when editing
keeps the one stored. The history records who changed which provider, never a value.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.core.permissions import Perm, communities_for, require
from propdesk.estates.models import Company
from propdesk.portal import error_codes
from propdesk.portal.models import PaymentCredential
from propdesk.portal.payments import credentials, vault


def _company(actor, company_id) -> Company:
    try:
        company_id = int(company_id)
    except (TypeError, ValueError) as exc:
        raise NotFound(field="company") from exc
    if not 0 < company_id < 2**63:
        raise NotFound(field="company")
    company = Company.objects.filter(
        pk=company_id, communities__in=communities_for(actor, Perm.PAYMENT_PROVIDERS)
    ).first()
    if company is None:
        raise NotFound(field="company")
    return company


@transaction.atomic
def credentials_save(*, actor, company_id, provider: str, values: dict) -> PaymentCredential:
    require(actor, Perm.PAYMENT_PROVIDERS)
    company = _company(actor, company_id)
    if provider not in credentials.FIELDS:
        raise ValidationFailed(_("Unknown payment provider."), field="provider")
    row = (
        PaymentCredential.objects.select_for_update()
        .filter(company=company, provider=provider)
        .first()
    )
    entered = {k: str(v or "") for k, v in values.items()}
    if row is not None:
        try:
            stored = vault.unseal(row.secret)
        except vault.VaultUnavailable:
            stored = {}
        for field in credentials.FIELDS[provider]:
            if field.secret and not entered.get(field.name, "").strip():
                entered[field.name] = stored.get(field.name, "")
    try:
        lookup, summary, cleaned = credentials.check(provider, entered)
    except credentials.CredentialProblem as exc:
        raise ValidationFailed(
            exc.message, code=error_codes.BAD_CREDENTIALS, field=exc.field
        ) from None
    fields = {
        "secret": vault.seal(cleaned),
        "lookup": lookup,
        "summary": summary,
        "problem": "",
        "updated_by": actor,
        "updated_at": timezone.now(),
    }
    before = None if row is None else "configured"
    if row is None:
        row = PaymentCredential.objects.create(company=company, provider=provider, **fields)
    else:
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=list(fields))
    audit.record_change(
        actor=actor,
        instance=row,
        action="payment_credentials_saved",
        changes={"credentials": [before, "configured"]},
        object_repr=f"{company.name} {provider}",
    )
    return row


@transaction.atomic
def credentials_remove(*, actor, company_id, provider: str) -> None:
    require(actor, Perm.PAYMENT_PROVIDERS)
    company = _company(actor, company_id)
    row = PaymentCredential.objects.filter(company=company, provider=provider).first()
    if row is None:
        raise NotFound(field="provider")
    audit.record_change(
        actor=actor,
        instance=row,
        action="payment_credentials_removed",
        changes={"credentials": ["configured", None]},
        object_repr=f"{company.name} {provider}",
    )
    row.delete()


def provider_settings_rows(actor) -> list[dict]:
    """For the settings page: each company × provider with its state, never a secret."""
    require(actor, Perm.PAYMENT_PROVIDERS)
    companies = (
        Company.objects.filter(communities__in=communities_for(actor, Perm.PAYMENT_PROVIDERS))
        .distinct()
        .order_by("name")
    )
    stored = {
        (row.company_id, row.provider): row
        for row in PaymentCredential.objects.filter(company__in=companies)
    }
    rows = []
    for company in companies:
        for provider in credentials.FIELDS:
            row = stored.get((company.pk, provider))
            problem = ""
            if row is not None:
                problem = row.problem
                if not problem:
                    try:
                        credentials.check(provider, vault.unseal(row.secret))
                    except vault.VaultUnavailable:
                        problem = _(
                            "The stored credentials cannot be decrypted with the key configured "
                            "on the server: enter them again."
                        )
                    except credentials.CredentialProblem as exc:
                        problem = str(exc.message)
            rows.append(
                {
                    "company": company,
                    "provider": provider,
                    "fields": credentials.FIELDS[provider],
                    "row": row,
                    "problem": problem,
                }
            )
    return rows
