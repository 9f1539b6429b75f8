from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustodyConfig(AppConfig):
    name = "propdesk.custody"
    label = "custody"
    verbose_name = _("Keys, passes and documents")

    def ready(self) -> None:
        from propdesk.estates import house_links

        house_links.register(house_links_of_custody)
        from propdesk.core.audit import ACTION_LABELS, FIELD_LABELS

        # How the shared history names this app's events (the codes stay in the database).
        ACTION_LABELS.update(
            {
                "key_registered": _("Key registered"),
                "key_lent": _("Key lent"),
                "key_returned": _("Key returned"),
                "key_overdue": _("Key overdue"),
                "key_retired": _("Key retired"),
                "inspection_requested": _("Repair lead asked to inspect"),
                "pass_applied": _("Release pass applied for"),
                "pass_approved": _("Release pass approved"),
                "pass_rejected": _("Release pass rejected"),
                "pass_cancelled": _("Release pass cancelled"),
                "pass_used": _("Goods left the gate"),
                "document_registered": _("Document registered"),
                "document_lent": _("Document lent"),
                "document_returned": _("Document returned"),
            }
        )
        FIELD_LABELS.update(
            {
                "location": _("location"),
                "copies": _("copies"),
                "active": _("active"),
                "release_needs_fees_paid": _("release needs fees paid"),
                "key_overdue_hours": _("key overdue after (hours)"),
                "pass_validity_hours": _("pass valid for (hours)"),
                "repair_lead": _("repair lead"),
            }
        )


def house_links_of_custody(user, house):
    """On a house's page: a release pass for goods leaving it."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_links import HouseLink

    if has_perm(user, Perm.RELEASE_ISSUE):
        url = f"{reverse('custody_pass_new')}?{urlencode({'house': house.pk})}"
        yield HouseLink(_("Release pass for goods"), url, "pass_new")
