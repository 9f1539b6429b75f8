"""Single use under real concurrency (PostgreSQL: SQLite runs one writer at a time): twenty
guards scanning the same pass at the same moment record one exit; the others are refused."""

import threading

import pytest
from django.db import connection, connections

from propdesk.core.errors import Conflict
from propdesk.custody import error_codes
from propdesk.custody.models import ReleasePass
from propdesk.custody.services.passes import pass_for_gate, release_pass_use

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs writing transactions at once")


def test_twenty_guards_at_once_record_one_exit(guard, approved_pass):
    count = 20
    start = threading.Barrier(count)
    outcomes: list[str] = [""] * count

    def scan(i):
        try:
            found = pass_for_gate(guard, approved_pass.code)
            start.wait(10)
            release_pass_use(actor=guard, release_pass=found)
            outcomes[i] = "used"
        except Conflict as exc:
            outcomes[i] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("used") == 1
    assert outcomes.count(error_codes.PASS_USED) == count - 1
    assert ReleasePass.objects.get(pk=approved_pass.pk).status == "used"
