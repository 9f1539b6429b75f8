from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "propdesk.portal"
    label = "portal"
    verbose_name = _("Owner portal")

    def ready(self) -> None:
        from propdesk.core import audit
        from propdesk.portal import checks  # noqa: F401 (registers the deployment checks)
        from propdesk.portal.models import RELATION_LABELS, LinkRequest, PaymentOrder

        # How the shared history names this app's events (the codes stay in the database).
        for code, label in {
            "link_requested": _("Asked to be linked to the house"),
            "link_approved": _("Link to the house approved"),
            "link_rejected": _("Link to the house refused"),
            "fee_grant_added": _("Fees shown to a tenant or agent"),
            "fee_grant_revoked": _("Fees hidden again"),
            "payment_order_created": _("Online payment started"),
            "payment_order_paid": _("Paid online"),
            "portal_account_created": _("Owner portal account created"),
            "portal_account_linked": _("Owner portal account linked"),
            "portal_password_set": _("Owner portal password set"),
            "online_refund_sent": _("Refund sent to the provider"),
            "online_refund_answered": _("The provider answered the refund"),
        }.items():
            audit.ACTION_LABELS.setdefault(code, label)
        audit.FIELD_LABELS.setdefault("amount_fen", _("amount (fen)"))
        audit.FIELD_LABELS.setdefault("refund_amount", _("refund amount (yuan)"))
        audit.value_labels_add("relation", RELATION_LABELS.items())
        audit.value_labels_add("status", LinkRequest.Status)
        audit.value_labels_add("status", PaymentOrder.Status)
        # Tenants and agents see a house's fees where an owner granted it (FeeGrant).
        from propdesk.estates import owner_access
        from propdesk.portal import access

        owner_access.fee_grants_register(access.granted_house_ids)
