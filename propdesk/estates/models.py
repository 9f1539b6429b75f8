"""The estate registry and owner archive (DOMAIN.md §1).

Company → communities → buildings → units → houses; owners, co-owners, residents, entrusted agents,
vehicles, parking spaces and archive documents. Every row that belongs to a community carries
`community_id` directly, and the indexes that lists and search use start with it (DESIGN.md).
Nothing here is deleted: owners change by transfer, residents move out, agents are revoked.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATTERN_OPS = ["varchar_pattern_ops"]  # lets PostgreSQL serve LIKE 'prefix%' from the index


class Company(models.Model):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="communities", verbose_name=_("company")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    archive_prefix = models.CharField(
        _("archive number prefix"),
        max_length=10,
        help_text=_("Prefix of the unified archive numbers of this community."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("community")
    )
    number = models.CharField(_("building number"), max_length=20)
    name = models.CharField(_("name"), max_length=60, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    class Meta:
        ordering = ["community_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="building_number_unique")
        ]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name or _("Building %(number)s") % {"number": self.number}


class Unit(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    number = models.CharField(_("unit number"), max_length=20)

    class Meta:
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_number_unique")
        ]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return _("Unit %(number)s") % {"number": self.number}


class HouseKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")


class HouseStatus(models.TextChoices):
    UNSOLD = "unsold", _("Unsold")
    VACANT = "vacant", _("Vacant")
    OCCUPIED = "occupied", _("Occupied")
    DECORATING = "decorating", _("Decorating")


class House(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="houses", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="houses", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="houses", verbose_name=_("unit")
    )
    number = models.CharField(_("room number"), max_length=20)
    code = models.CharField(
        _("house code"), max_length=64, help_text=_("building-unit-room, e.g. 3-2-1502")
    )
    floor = models.SmallIntegerField(_("floor"))
    area_m2 = models.DecimalField(_("building area (m²)"), max_digits=9, decimal_places=2)
    kind = models.CharField(
        _("kind"), max_length=20, choices=HouseKind.choices, default=HouseKind.RESIDENTIAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=HouseStatus.choices, default=HouseStatus.UNSOLD
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="house_code_unique"),
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="house_area_positive"),
        ]
        indexes = [
            models.Index(
                fields=["community", "code"],
                name="house_code_prefix",
                opclasses=["int8_ops", *PATTERN_OPS],
            ),
            models.Index(fields=["community", "status"], name="house_status"),
            models.Index(fields=["building", "unit", "number"], name="house_location"),
            # The house list's order: building, unit, floor, room within a community.
            models.Index(
                fields=["community", "building", "unit", "floor", "number"], name="house_list_order"
            ),
            models.Index(fields=["community", "number", "code", "id"], name="house_room_number"),
        ]
        verbose_name = _("house")
        verbose_name_plural = _("houses")

    def __str__(self) -> str:
        return self.code

    @staticmethod
    def make_code(building: str, unit: str, number: str) -> str:
        return f"{building}-{unit}-{number}"


class HouseStatusChange(models.Model):
    """The status history of a house: the vacancy discount and reports read it."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=HouseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=HouseStatus.choices)
    effective_on = models.DateField(_("effective on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["house_id", "effective_on", "id"]
        indexes = [
            models.Index(fields=["community", "house", "effective_on"], name="house_status_hist")
        ]

    def __str__(self) -> str:
        return f"{self.house_id}: {self.from_status} → {self.to_status}"


class OwnerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Hong Kong/Macao permit")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan permit")
    CREDIT_CODE = "credit_code", _("Unified social credit code")


class Owner(models.Model):
    """An owner in a community's archive: a person or a company."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="owners", verbose_name=_("community")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=OwnerKind.choices, default=OwnerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    name_initials = models.CharField(max_length=40, blank=True, editable=False)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    mobile_tail = models.CharField(max_length=4, blank=True, editable=False)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owner_profile",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "name_pinyin", "id"]
        indexes = [
            models.Index(
                fields=["community", "name", "name_pinyin", "id"],
                name="owner_name",
                opclasses=["int8_ops", *PATTERN_OPS, "text_ops", "int8_ops"],
            ),
            models.Index(
                fields=["community", "name_pinyin", "id"],
                name="owner_pinyin",
                opclasses=["int8_ops", *PATTERN_OPS, "int8_ops"],
            ),
            models.Index(
                fields=["community", "name_initials", "name_pinyin", "id"],
                name="owner_initials",
                opclasses=["int8_ops", *PATTERN_OPS, "text_ops", "int8_ops"],
            ),
            models.Index(fields=["community", "mobile_tail"], name="owner_mobile_tail"),
            # By mobile: staff within their communities, and the owner portal across them (one
            # person, houses in several communities) — the registry's one index that does not
            # start with the community (DESIGN.md), as a signed-in owner has no community yet.
            models.Index(fields=["mobile", "community"], name="owner_mobile_any"),
            # Owners are matched by ID number on registration, transfer and import.
            models.Index(fields=["community", "id_number"], name="owner_id_number"),
        ]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")

    def __str__(self) -> str:
        return self.name


class OwnershipTransfer(models.Model):
    """A change of a house's owners (过户): old ownerships end, new ones start, history stays."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="transfers")
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.house_id} @ {self.effective_on}"


class Ownership(models.Model):
    """An owner holds a house from `start_on` until `end_on`; several at once are co-owners."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="ownerships")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="ownerships")
    is_primary = models.BooleanField(_("primary owner"), default=True)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    started_by_transfer = models.ForeignKey(
        OwnershipTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by_transfer = models.ForeignKey(
        OwnershipTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["house_id", "-is_primary", "id"]
        indexes = [
            models.Index(fields=["community", "owner", "end_on"], name="ownership_owner"),
            models.Index(fields=["community", "house", "end_on"], name="ownership_house"),
        ]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")

    def __str__(self) -> str:
        return f"{self.owner_id} → {self.house_id}"

    @property
    def is_current(self) -> bool:
        return self.end_on is None


class ResidentRelation(models.TextChoices):
    FAMILY = "family", _("Family member")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other occupant")


class Resident(models.Model):
    """Someone living in a house who is not its owner: family members and tenants."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="residents")
    relation = models.CharField(_("relation"), max_length=10, choices=ResidentRelation.choices)
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    name_initials = models.CharField(max_length=40, blank=True, editable=False)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    mobile_tail = models.CharField(max_length=4, blank=True, editable=False)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    lease_start = models.DateField(_("lease start"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["house_id", "id"]
        indexes = [
            models.Index(fields=["community", "mobile_tail"], name="resident_mobile_tail"),
            # The owner portal finds the account's houses by mobile across communities.
            models.Index(fields=["mobile"], name="resident_mobile_any"),
            models.Index(
                fields=["community", "name_initials"],
                name="resident_initials",
                opclasses=["int8_ops", *PATTERN_OPS],
            ),
            models.Index(
                fields=["community", "name"],
                name="resident_name",
                opclasses=["int8_ops", *PATTERN_OPS],
            ),
            models.Index(
                fields=["community", "name_pinyin"],
                name="resident_pinyin",
                opclasses=["int8_ops", *PATTERN_OPS],
            ),
        ]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.name


class EntrustedAgent(models.Model):
    """A person entrusted (受托人) by an owner, with the power of attorney on file (DOMAIN §1)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="agents")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="agents")
    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(_("mobile"), max_length=11)
    id_number = models.CharField(_("ID number"), max_length=20)
    scope = models.CharField(_("entrusted matters"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    power_of_attorney = models.ForeignKey(
        "ArchiveDocument",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("power of attorney"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["house_id", "-valid_from"]
        # The owner portal finds the account's houses by mobile across communities.
        indexes = [models.Index(fields=["mobile"], name="agent_mobile_any")]
        verbose_name = _("entrusted agent")
        verbose_name_plural = _("entrusted agents")

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="vehicles")
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.PROTECT, related_name="vehicles"
    )
    plate = models.CharField(_("plate number"), max_length=10)
    is_new_energy = models.BooleanField(_("new-energy vehicle"), default=False)
    description = models.CharField(_("make and colour"), max_length=60, blank=True)
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        ordering = ["house_id", "id"]
        indexes = [
            models.Index(
                fields=["community", "plate"],
                name="vehicle_plate",
                opclasses=["int8_ops", *PATTERN_OPS],
            )
        ]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        # Masked: a vehicle's name shows in history, the access log and choice lists.
        from propdesk.core.masking import mask_plate

        return mask_plate(self.plate)


class ParkingKind(models.TextChoices):
    SHARED = "shared", _("Shared space")
    DEDICATED = "dedicated", _("Dedicated space")
    OPEN_AIR = "open_air", _("Open-air space")


class ParkingStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LET = "let", _("Let")
    SOLD = "sold", _("Sold")


class ParkingSpace(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="parking_spaces"
    )
    number = models.CharField(_("space number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=ParkingKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ParkingStatus.choices, default=ParkingStatus.AVAILABLE
    )
    holder = models.ForeignKey(
        Owner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parking_spaces",
        verbose_name=_("holder"),
    )
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="parking_spaces"
    )
    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["community_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="parking_number_unique")
        ]
        verbose_name = _("parking space")
        verbose_name_plural = _("parking spaces")

    def __str__(self) -> str:
        return self.number


class DocumentType(models.TextChoices):
    ID_COPY = "id_copy", _("ID copy")
    CONTRACT = "contract", _("Contract")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    HOUSEHOLD_CARD = "household_card", _("Household registration card")
    COMPANY_LICENCE = "company_licence", _("Company certificate")
    OTHER = "other", _("Other")


def archive_upload_to(document: "ArchiveDocument", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"archive/{document.community_id}/{document.archive_number}.{suffix}"


class ArchiveDocument(models.Model):
    """A scanned document in the owner archive, with its unified archive number (资料统一编号)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    archive_number = models.CharField(_("archive number"), max_length=30)
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=120, blank=True)
    file = models.FileField(_("file"), upload_to=archive_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "archive_number"], name="archive_number_unique"
            )
        ]
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")

    def __str__(self) -> str:
        return self.archive_number
