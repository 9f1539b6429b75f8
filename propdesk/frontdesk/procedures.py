"""What each procedure consists of (DOMAIN.md §4): the move-in documents by who came, the forms
collected and the ten steps, in order. Plain data the services, pages and the PDF read."""

from django.utils.translation import gettext_lazy as _

from propdesk.estates.models import DocumentType
from propdesk.frontdesk.models import ApplicantKind, ChecklistGroup

# code → (label, the archive document type a scan is filed as)
DOCUMENTS = {
    "id_card": (_("ID card of the person who came"), DocumentType.ID_COPY),
    "delivery_notice": (_("Delivery notice"), DocumentType.OTHER),
    "purchase_invoice": (_("Purchase invoice"), DocumentType.OTHER),
    "price_settlement": (_("Price settlement voucher"), DocumentType.OTHER),
    "principal_id": (_("Principal's ID card"), DocumentType.ID_COPY),
    "power_of_attorney": (_("Power of attorney"), DocumentType.POWER_OF_ATTORNEY),
    "company_certificate": (_("Company certificate"), DocumentType.COMPANY_LICENCE),
}
_BASE_DOCUMENTS = ["id_card", "delivery_notice", "purchase_invoice", "price_settlement"]
DOCUMENTS_BY_KIND = {
    ApplicantKind.OWNER: _BASE_DOCUMENTS,
    ApplicantKind.AGENT: [*_BASE_DOCUMENTS, "principal_id", "power_of_attorney"],
    ApplicantKind.COMPANY: [*_BASE_DOCUMENTS, "company_certificate"],
}

FORMS = {
    "household_card": _("Household registration card"),
    "contract_copy": _("Copy of the sale contract"),
    "move_in_notice": _("Move-in notice"),
    "service_agreement": _("Property service agreement and provisional management rules"),
    "fee_notice": _("Fee payment notice"),
    "id_copies_photos": _("Copies of ID and photos"),
}

STEPS = {
    "verify": _("Verify documents"),
    "settle_price": _("Settle the house price"),
    "hand_out_materials": _("Hand out move-in materials"),
    "fill_forms": _("Fill in the forms"),
    "collect_forms": _("Collect the forms"),
    "pay_fees": _("Pay the fees"),
    "keys_handover": _("Hand over keys, gift and the two documents"),
    "inspection": _("Accompanied house inspection"),
    "sign_inspection": _("Owner signs the inspection record"),
    "archive": _("Archive the move-in file"),
}
STEP_CODES = list(STEPS)


def item_label(group: str, code: str) -> str:
    if group == ChecklistGroup.DOCUMENT:
        return str(DOCUMENTS.get(code, (code,))[0])
    return str(FORMS.get(code, code))


def step_label(code: str) -> str:
    return str(STEPS.get(code, code))
