"""Console forms of the registry. They parse types; the services hold the business rules.

Fields the services validate (mobile, ID number, area, plate…) are plain text here, so the one
rule in core.validators gives the error message, named on the right field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propdesk.core.forms import ConsoleForm
from propdesk.estates.models import (
    DocumentType,
    HouseKind,
    HouseStatus,
    IdType,
    OwnerKind,
    ParkingKind,
    ParkingStatus,
    ResidentRelation,
)

TEXT = {"max_length": 200}


class BuildingForm(ConsoleForm):
    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    number = forms.CharField(label=_("Building number"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=200, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class HouseCreateForm(ConsoleForm):
    building = forms.ModelChoiceField(queryset=None, label=_("Building"))
    unit_number = forms.CharField(label=_("Unit"), max_length=20)
    number = forms.CharField(label=_("Room number"), max_length=20)
    floor = forms.IntegerField(label=_("Floor"), min_value=-10, max_value=200)
    area_m2 = forms.CharField(label=_("Building area (m²)"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=HouseKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=HouseStatus.choices)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: f"{b.community.name} · {b}"


class HouseEditForm(ConsoleForm):
    floor = forms.IntegerField(label=_("Floor"), min_value=-10, max_value=200)
    area_m2 = forms.CharField(label=_("Building area (m²)"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=HouseKind.choices)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False)


class HouseStatusForm(ConsoleForm):
    status = forms.ChoiceField(label=_("New status"), choices=HouseStatus.choices)
    effective_on = forms.DateField(label=_("Effective on"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class OwnerFieldsForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Owner kind"), choices=OwnerKind.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    OWNER_FIELDS = ("kind", "name", "mobile", "id_type", "id_number", "note")

    def owner_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.OWNER_FIELDS}


class OwnerCreateForm(OwnerFieldsForm):
    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    field_order = ["community"]

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class HouseOwnerForm(OwnerFieldsForm):
    is_primary = forms.BooleanField(label=_("Primary owner"), required=False)
    start_on = forms.DateField(label=_("Owner since"), required=False)


class TransferForm(OwnerFieldsForm):
    """The new primary owner, an optional co-owner, and when the transfer takes effect."""

    co_owner_name = forms.CharField(label=_("Co-owner name"), max_length=100, required=False)
    co_owner_mobile = forms.CharField(label=_("Co-owner mobile"), max_length=20, required=False)
    co_owner_id_number = forms.CharField(
        label=_("Co-owner resident ID number"), max_length=30, required=False
    )
    effective_on = forms.DateField(label=_("Effective on"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def owners_fields(self) -> list[dict]:
        owners = [self.owner_fields()]
        if self.cleaned_data["co_owner_name"]:
            owners.append(
                {
                    "kind": OwnerKind.PERSON,
                    "name": self.cleaned_data["co_owner_name"],
                    "mobile": self.cleaned_data["co_owner_mobile"],
                    "id_type": IdType.RESIDENT_ID,
                    "id_number": self.cleaned_data["co_owner_id_number"],
                }
            )
        return owners


class ResidentForm(ConsoleForm):
    relation = forms.ChoiceField(label=_("Relation"), choices=ResidentRelation.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30, required=False)
    lease_start = forms.DateField(label=_("Lease start"), required=False)
    lease_end = forms.DateField(label=_("Lease end"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AgentForm(ConsoleForm):
    owner = forms.ModelChoiceField(queryset=None, label=_("Entrusted by (owner)"))
    name = forms.CharField(label=_("Agent name"), max_length=100)
    mobile = forms.CharField(label=_("Agent mobile"), max_length=20)
    id_number = forms.CharField(label=_("Agent resident ID number"), max_length=30)
    scope = forms.CharField(label=_("Entrusted matters"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), required=False)
    valid_until = forms.DateField(label=_("Valid until"), required=False)
    power_of_attorney = forms.FileField(
        label=_("Power of attorney (scan)"),
        help_text=_("PDF, JPG or PNG. It is filed in this house's archive with a number."),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class VehicleForm(ConsoleForm):
    plate = forms.CharField(label=_("Plate number"), max_length=20)
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner"), required=False)
    description = forms.CharField(label=_("Make and colour"), max_length=60, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class DocumentForm(ConsoleForm):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG, PNG, DOCX or XLSX."))


class ParkingSpaceForm(ConsoleForm):
    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    number = forms.CharField(label=_("Space number"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=ParkingKind.choices)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class ParkingAssignForm(ConsoleForm):
    space = forms.ModelChoiceField(queryset=None, label=_("Parking space"))
    status = forms.ChoiceField(
        label=_("How"),
        choices=[
            (ParkingStatus.LET, ParkingStatus.LET.label),
            (ParkingStatus.SOLD, ParkingStatus.SOLD.label),
        ],
    )
    holder = forms.ModelChoiceField(queryset=None, label=_("Holder"))
    vehicle = forms.ModelChoiceField(queryset=None, label=_("Vehicle"), required=False)

    def __init__(self, *args, spaces, owners, vehicles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces
        self.fields["space"].label_from_instance = lambda s: f"{s.number} · {s.get_kind_display()}"
        self.fields["holder"].queryset = owners
        self.fields["vehicle"].queryset = vehicles


class CommunityForm(ConsoleForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    archive_prefix = forms.CharField(
        label=_("Archive number prefix"), max_length=10, required=False
    )
