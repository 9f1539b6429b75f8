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


def pytest_configure(config):
    """`PROPDESK_TEST_CLOCK=23:30` runs the whole suite with the clock at that Shanghai hour today
    (or at a full ISO date-time), ticking from there: behaviour that depends on the hour (quiet
    hours, working time, the day's end) must be pinned by the test itself, and CI proves it by
    running the suite once at night."""
    at = os.environ.get("PROPDESK_TEST_CLOCK", "").strip()
    if not at:
        return
    import time_machine

    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    if "T" in at or " " in at:
        start = datetime.datetime.fromisoformat(at)
        if start.tzinfo is None:
            start = start.replace(tzinfo=shanghai)
    else:
        hour, minute = (int(part) for part in at.split(":"))
        today = datetime.datetime.now(shanghai).date()
        start = datetime.datetime.combine(today, datetime.time(hour, minute), tzinfo=shanghai)
    config._propdesk_clock = time_machine.travel(start, tick=True)
    config._propdesk_clock.start()


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the migrated rows by serialized rollback. Django empties
    the tables after such a test; without serialized rollback it then re-creates content types and
    permissions, and the next test that reloads the serialized rows inserts them a second time
    (a duplicate key on PostgreSQL). One rule for all, so a new test cannot mix the two."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if marker.kwargs.get("serialized_rollback"):
            continue
        kwargs = {**marker.kwargs, "serialized_rollback": True}
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


def pytest_report_header(config):
    at = os.environ.get("PROPDESK_TEST_CLOCK", "").strip()
    return [f"clock: the suite starts at {at} Asia/Shanghai"] if at else []


def pytest_unconfigure(config):
    clock = getattr(config, "_propdesk_clock", None)
    if clock is not None:
        clock.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _urls_loaded(request):
    """The live server imports the URLconf (every app's API and PDF libraries) on the first
    request it serves; on a busy machine that outlasts the browser's first navigation. A browser
    journey imports it beforehand, as a production server does at start."""
    if request.node.get_closest_marker("browser") is not None:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 — the import is the point


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


@pytest.fixture(autouse=True)
def _fresh_configuration_cache():
    """Each test reads the configuration rows of its own database, not a cached earlier test's."""
    from propdesk.accounts.token_cache import cache_clear as token_cache_clear
    from propdesk.core.config_cache import clear_cache

    clear_cache()
    token_cache_clear()
    yield
    clear_cache()
    token_cache_clear()


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
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # a flush re-creates content types under new ids

    from propdesk.tickets.models import RequestKind

    if not RequestKind.objects.exists():  # a flush empties every table at once
        from propdesk.core.config_cache import clear_cache
        from propdesk.core.schema import seed_configuration

        seed_configuration()

        clear_cache()
    yield
