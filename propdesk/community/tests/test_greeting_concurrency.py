"""Two worker processes running the birthday job at the same moment on PostgreSQL greet each
person once: counted at the transport (a file both processes append to), and in the once-a-year
rows."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from propdesk.community.models import BirthdayGreeting
from propdesk.community.tests.test_greetings import birthdays  # noqa: F401 (a fixture)
from propdesk.core.models import OutboxMessage
from propdesk.core.tests.concurrency import process_environment, require_postgresql

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()


def test_two_workers_greet_each_person_once(birthdays, tmp_path):  # noqa: F811
    count_file = tmp_path / "sent.txt"
    env = process_environment(COUNT_FILE=str(count_file))
    start = time.time() + 15  # both processes are set up by then, and start together
    workers = [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "propdesk.community.tests.greeting_worker",
                str(start),
                "2026-07-10T10:00:00",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [r[1][-2000:] for r in results]
    greeted = sorted(int(out.strip().splitlines()[-1]) for out, _err in results)
    assert sum(greeted) == 3  # one worker greeted each person; the other found them greeted

    lines = count_file.read_text().splitlines()
    sends = [line for line in lines if line.endswith("greeting.birthday")]
    assert sorted(sends) == sorted(set(sends))  # nothing sent twice
    assert sorted(line.rsplit(" ", 1)[0] for line in sends) == [
        "in_app owner",
        "sms 13700000001",
        "sms 13700000003",
        "sms 13812345678",
    ]
    assert BirthdayGreeting.objects.filter(year=2026).count() == 3
    assert OutboxMessage.objects.filter(event="greeting.birthday", status="sent").count() == 4
