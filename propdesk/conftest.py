"""Shared personas and registry fixtures: one of each role in community A, staff of community B."""

import datetime
import os
from decimal import Decimal

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there
# unless this is set (only the browser journeys use both).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def company(db):
    from propdesk.estates.models import Company

    return Company.objects.create(name="测试物业")


@pytest.fixture
def community_a(company):
    from propdesk.estates.models import Community

    return Community.objects.create(company=company, code="A", name="甲小区", archive_prefix="A")


@pytest.fixture
def community_b(company):
    from propdesk.estates.models import Community

    return Community.objects.create(company=company, code="B", name="乙小区", archive_prefix="B")


def make_user(username, role, *communities):
    from propdesk.accounts.models import User

    user = User.objects.create_user(username, password="pw-" + username, role=role)
    user.communities.set(communities)
    return user


@pytest.fixture
def personas(community_a, community_b):
    """A user of every role working in community A, an agent of B and an admin of all."""
    from propdesk.accounts.models import Role

    return {
        "agent": make_user("agent", Role.AGENT, community_a),
        "supervisor": make_user("supervisor", Role.SUPERVISOR, community_a),
        "technician": make_user("technician", Role.TECHNICIAN, community_a),
        "cashier": make_user("cashier", Role.CASHIER, community_a),
        "guard": make_user("guard", Role.GUARD, community_a),
        "admin": make_user("admin", Role.ADMIN),
        "owner": make_user("owner", Role.OWNER, community_a),
        "other_agent": make_user("other_agent", Role.AGENT, community_b),
    }


@pytest.fixture
def admin(personas):
    return personas["admin"]


@pytest.fixture
def agent(personas):
    return personas["agent"]


@pytest.fixture
def building_a(community_a, admin):
    from propdesk.estates import services

    return services.building_create(actor=admin, community=community_a, number="3")


@pytest.fixture
def house_a(building_a, admin):
    from propdesk.estates import services

    return services.house_create(
        actor=admin,
        building=building_a,
        unit_number="2",
        number="1502",
        floor=15,
        area_m2=Decimal("89.50"),
        status="occupied",
        delivered_on=datetime.date(2021, 6, 30),
    )


VALID_ID = "11010519491231002X"


@pytest.fixture
def zhang_san(house_a, admin):
    """张三 owns 3-2-1502 in community A, mobile 13812345678."""
    from propdesk.estates import services

    owner = services.owner_create(
        actor=admin,
        community=house_a.community,
        name="张三",
        mobile="13812345678",
        id_number=VALID_ID,
    )
    services.ownership_add(
        actor=admin, house=house_a, owner=owner, start_on=datetime.date(2021, 7, 1)
    )
    return owner


@pytest.fixture
def house_b(community_b, admin):
    from propdesk.estates import services

    building = services.building_create(actor=admin, community=community_b, number="1")
    return services.house_create(
        actor=admin, building=building, unit_number="1", number="101", floor=1, area_m2="70"
    )


DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


# Data migrations that seed company-wide defaults (not per-community rows made by services).
SEEDING_MIGRATIONS = (
    "propdesk.tickets.migrations.0002_seed_configuration",
    "propdesk.frontdesk.migrations.0002_seed_configuration",
    "propdesk.notices.migrations.0002_seed_templates",
)


@pytest.fixture(autouse=True)
def _fresh_configuration_cache():
    """Each test reads the configuration rows of its own database, not a cached earlier test's."""
    from propdesk.core.config_cache import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _seeded_configuration(request):
    """Put back the configuration rows data migrations seed, after a transactional test flushed
    them (Django empties every table after such a test; later tests expect the defaults)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (DB_FIXTURES & names or marker):
        yield
        return
    transactional = (marker and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & names
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # a flush re-creates content types under new ids

    from propdesk.tickets.models import RequestKind

    if not RequestKind.objects.exists():  # a flush empties every table at once
        from importlib import import_module

        for module in SEEDING_MIGRATIONS:
            import_module(module).seed(apps, None)
        from propdesk.core.config_cache import clear_cache

        clear_cache()
    yield
