"""Fixtures for the registry service tests: 'nothing changed' checks and archive files."""

import contextlib
import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in ("accounts", "core", "estates")
        for model in apps.get_app_config(label).get_models()
    }


def _stored(instances) -> list[dict]:
    return [type(i).objects.filter(pk=i.pk).values().get() for i in instances]


@pytest.fixture
def nothing_changes():
    """`with nothing_changes(house), pytest.raises(...)`: no row added, removed or edited."""

    @contextlib.contextmanager
    def check(*instances):
        counts, rows = _row_counts(), _stored(instances)
        yield
        assert _row_counts() == counts
        assert _stored(instances) == rows

    return check


@pytest.fixture
def pdf():
    def make(name="委托书.pdf", content=PDF_BYTES):
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make


@pytest.fixture
def li_si(house_a, admin):
    """李四, registered in community A without a house."""
    from propdesk.estates import services

    return services.owner_create(
        actor=admin, community=house_a.community, name="李四", mobile="13900001111"
    )


@pytest.fixture
def poa_a(house_a, zhang_san, admin, pdf):
    """张三's power of attorney, filed in the archive of 3-2-1502."""
    from propdesk.estates import services

    return services.document_upload(
        actor=admin,
        community=house_a.community,
        doc_type="power_of_attorney",
        uploaded=pdf(),
        house=house_a,
        owner=zhang_san,
    )


@pytest.fixture
def owner_b(house_b, admin):
    """王五 owns the house of community B."""
    from propdesk.estates import services

    owner = services.owner_create(actor=admin, community=house_b.community, name="王五")
    services.ownership_add(
        actor=admin, house=house_b, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    return owner


@pytest.fixture
def registry(zhang_san, house_a, house_b, admin):
    """3-2-1502 (张三, occupied) and 3-2-1601 (vacant, commercial) in A; 1-1-101 in B."""
    from propdesk.estates import services

    vacant = services.house_create(
        actor=admin,
        building=house_a.building,
        unit_number="2",
        number="1601",
        floor=16,
        area_m2="120.25",
        kind="commercial",
        status="vacant",
    )
    other = services.owner_create(
        actor=admin,
        community=house_b.community,
        name="王五",
        mobile="13700001234",
        id_number="110105198001010016",
    )
    services.ownership_add(actor=admin, house=house_b, owner=other)
    return {"occupied": house_a, "vacant": vacant, "other": house_b, "zhang_san": zhang_san}
