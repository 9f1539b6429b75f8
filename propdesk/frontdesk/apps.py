from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "propdesk.frontdesk"
    label = "frontdesk"
    verbose_name = _("Front-desk procedures")

    def ready(self):
        from propdesk.estates import house_links

        house_links.register(house_links_of_procedures)
        # The house and owner timelines (estates) name each history action through
        # core.audit's labels: teach them the procedures' actions and fields.
        from propdesk.core import audit
        from propdesk.frontdesk.templatetags.procedures import ACTION_LABELS, FIELD_LABELS

        for code, label in ACTION_LABELS.items():
            audit.ACTION_LABELS.setdefault(code, label)
        for name, label in FIELD_LABELS.items():
            audit.FIELD_LABELS.setdefault(name, label)
        audit.VALUE_RESOLVERS.append(procedure_code_label)


def procedure_code_label(field: str, value):
    """A procedure's step, document or form code in the history, by its name."""
    from propdesk.frontdesk.procedures import DOCUMENTS, FORMS, STEPS

    if not isinstance(value, str):
        return None
    if value in STEPS:
        return STEPS[value]
    if value in DOCUMENTS:
        return DOCUMENTS[value][0]
    return FORMS.get(value)


def house_links_of_procedures(user, house):
    """On a house's page: start a move-in, a house inspection or a decoration application."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_links import HouseLink

    query = urlencode({"house": house.pk})
    for perm, route, label, name in (
        (Perm.MOVE_IN, "frontdesk_move_in_new", _("Start a move-in"), "move_in_new"),
        (
            Perm.INSPECTION_RECORD,
            "frontdesk_inspection_new",
            _("Inspect the house"),
            "inspection_new",
        ),
        (Perm.DECORATION_MANAGE, "frontdesk_permit_new", _("Apply for decoration"), "permit_new"),
    ):
        if has_perm(user, perm):
            yield HouseLink(label, f"{reverse(route)}?{query}", name)
