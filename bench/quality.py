"""Service quality: the month close of the six-dimension assessment, and the telephone system's
webhook against the bench's own floor endpoint.

1. **Month close.** A month of 100,000 requests (each with its first-response and resolution
   clocks, 40 % followed up with a rating, 8 % complaints, 5 % repeats) and 200,000 hotline
   calls for 300 agents in 10 communities, with 4 quality reviews an agent, the month's survey
   answers of 30 % of the houses, an exam attempt and a data-entry check an agent. The close is
   `quality.services.assessment.assessment_compute` then `assessment_close` for every
   community: all six dimensions scored from those records. It runs in a fresh process so its
   peak memory (VmHWM) is its own. Target: at most 10 s and 500 MB. The month's dashboard
   (which reads the 200,000 calls) is timed beside it.
2. **Webhook ingest.** Signed `ring` events of new calls posted to `/api/calls/events` (HMAC
   check, idempotent write of the call and its event) against the floor: an endpoint of the
   same server doing the API's token check and one row insert in a transaction. Target: the
   webhook at least 0.5× the floor's requests per second, in the same run.

It runs with the production settings, as requests.py does (`production.py`: DEBUG off, a secret
key made for the run, no request log). Every figure is printed with the load average and the CPU
it took.

    uv run python bench/quality.py                          # SQLite, the full size
    uv run python bench/quality.py --database-url postgres://postgres@127.0.0.1:5432/bench_quality
    uv run python bench/quality.py --tiny                   # proves the bench runs (CI)
"""

import argparse
import datetime
import http.client
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from production import SERVER_SETTINGS, production_environment

REPO = Path(__file__).resolve().parent.parent
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PERIOD = datetime.date(2026, 6, 1)
SECRET = "bench-pbx-secret"  # noqa: S105 — the bench's own telephone-system secret
LINE_PREFIX = "40080"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--houses", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="each webhook/floor load")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--tiny", action="store_true", help="only prove the bench runs")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument("--close-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def setup(database_url: str, var_dir: str) -> None:
    production_environment(database_url, var_dir)
    import django

    django.setup()


def fresh_postgres_database(database_url: str) -> None:
    """Drop and create the bench's PostgreSQL database (named in the URL)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def load_text() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> int:
    """This process's peak resident memory (VmHWM: ru_maxrss would carry the parent's peak
    across the fork and exec that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def at_in_month(rng) -> datetime.datetime:
    start = datetime.datetime(PERIOD.year, PERIOD.month, 1, tzinfo=SHANGHAI)
    return start + datetime.timedelta(seconds=rng.randrange(29 * 86400))


# --- the month's records ------------------------------------------------------------------------


class Steps:
    """Prints each seeding step's wall and CPU seconds as it ends."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def done(self, what: str) -> None:
        wall, cpu = time.perf_counter(), cpu_seconds()
        print(f"  {what}: {wall - self.wall:.1f} s ({cpu - self.cpu:.1f} s CPU)", flush=True)
        self.wall, self.cpu = wall, cpu


def seed_month(args, rng) -> dict:
    """Write the month's records in bulk; return what the close and the webhook need."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from propdesk.accounts.models import Role, User
    from propdesk.estates import seeding
    from propdesk.estates.models import Community, House
    from propdesk.quality.models import (
        Call,
        EntryCheck,
        Exam,
        ExamAttempt,
        HotlineLine,
        Review,
        ReviewMark,
        SurveyResponse,
        SurveyRound,
    )
    from propdesk.quality.seeding import Rows
    from propdesk.quality.services import reviews, surveys
    from propdesk.tickets.models import FollowUp, RequestKind, ServiceRequest, SlaClock
    from propdesk.tickets.seeding import seed_requests

    steps = Steps()
    seeding.seed_registry(houses=args.houses, communities=args.communities, seed=args.seed)
    seed_requests(requests=20, now=datetime.datetime(2026, 5, 20, tzinfo=SHANGHAI))
    steps.done(f"registry of {args.houses:,} houses")
    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    communities = list(Community.objects.order_by("id"))
    houses: dict[int, list[int]] = {}
    for house_id, community_id in House.objects.values_list("id", "community_id"):
        houses.setdefault(community_id, []).append(house_id)

    password = make_password("bench-agent")
    agents = User.objects.bulk_create(
        [
            User(username=f"bench-agent-{n:04d}", role=Role.AGENT, password=password)
            for n in range(args.agents)
        ],
        batch_size=1000,
    )
    through = User.communities.through
    team: dict[int, list[int]] = {c.pk: [] for c in communities}
    links = []
    for n, agent in enumerate(agents):
        community = communities[n % len(communities)]
        team[community.pk].append(agent.pk)
        links.append(through(user_id=agent.pk, community_id=community.pk))
    through.objects.bulk_create(links, batch_size=2000)
    steps.done(f"{args.agents} agents")

    template = ServiceRequest.objects.order_by("id").first()
    complaint = RequestKind.objects.get(code="complaint").pk
    community_ids = [c.pk for c in communities]
    requests = Rows(
        ServiceRequest,
        template,
        "id community_id house_id building_id created_by_id assignee_id kind_id recurrence_of_id "
        "caller_owner_id number created_at updated_at status is_open",
    )
    clocks = Rows(
        SlaClock,
        SlaClock(target="first_response", round=1),
        "id community_id request_id target amount_seconds started_at due_at due_soon_at "
        "stopped_at state",
    )
    follow_ups = Rows(
        FollowUp,
        FollowUp(state=FollowUp.State.DONE, via=FollowUp.Via.values[0]),
        "id community_id request_id due_at satisfaction completed_at",
    )
    request_id, clock_id, follow_up_id = (rows.next_id() for rows in (requests, clocks, follow_ups))
    for n in range(args.requests):
        community_id = community_ids[n % len(community_ids)]
        start = at_in_month(rng)
        requests.add(
            request_id,
            community_id,
            rng.choice(houses[community_id]),
            None,
            rng.choice(team[community_id]),
            rng.choice(team[community_id]),
            complaint if rng.random() < 0.08 else template.kind_id,
            template.pk if rng.random() < 0.05 else None,
            None,
            f"QB{n:08d}",
            start,
            start,
            "closed",
            False,
        )
        for target, seconds, met_share in (
            ("first_response", 1800, 0.95),
            ("resolution", 86400, 0.88),
        ):
            met = rng.random() < met_share
            clocks.add(
                clock_id,
                community_id,
                request_id,
                target,
                seconds,
                start,
                start + datetime.timedelta(seconds=seconds),
                start + datetime.timedelta(seconds=seconds * 0.8),
                start + datetime.timedelta(seconds=seconds * (0.5 if met else 1.5)),
                "met" if met else "breached",
            )
            clock_id += 1
        if rng.random() < 0.4:
            done = start + datetime.timedelta(days=2)
            follow_ups.add(
                follow_up_id,
                community_id,
                request_id,
                done,
                rng.choice((5, 5, 5, 4, 4, 3, 2)),
                done,
            )
            follow_up_id += 1
        request_id += 1
        if n % 10_000 == 9_999 or n == args.requests - 1:
            # In this order: a clock or a follow-up needs its request.
            for rows in (requests, clocks, follow_ups):
                rows.write()
    steps.done(f"{args.requests:,} requests with their clocks and follow-ups")

    lines = HotlineLine.objects.bulk_create(
        [
            HotlineLine(number=f"{LINE_PREFIX}{n:05d}", community=c, name=c.name)
            for n, c in enumerate(communities)
        ]
    )
    line_of = {line.community_id: line.number for line in lines}
    calls = Rows(
        Call,
        Call(source="pbx"),
        "id community_id direction pbx_call_id line party_number party_tail agent_id ring_at "
        "answered_at ended_at state wait_seconds talk_seconds rings created_at updated_at",
    )
    call_id = calls.next_id()
    for n in range(args.calls):
        community_id = community_ids[n % len(community_ids)]
        ring = at_in_month(rng)
        inbound = rng.random() < 0.9
        answered = rng.random() < 0.97
        wait = rng.randrange(1, 12)
        talk = rng.randrange(30, 400) if answered else 0
        ended = ring + datetime.timedelta(seconds=wait + talk)
        number = f"139{rng.randrange(10**8):08d}"
        calls.add(
            call_id + n,
            community_id,
            "inbound" if inbound else "outbound",
            f"QB{n:09d}",
            line_of[community_id],
            number,
            number[-4:],
            rng.choice(team[community_id]) if answered else None,
            ring,
            ring + datetime.timedelta(seconds=wait) if answered else None,
            ended,
            "answered" if answered else "missed",
            wait if answered else None,
            talk if answered else None,
            max(1, wait // 5 + 1),
            ring,
            ended,
        )
        if n % 20_000 == 19_999:
            calls.write()
    calls.write()
    steps.done(f"{args.calls:,} calls")

    form = reviews.review_form_default()
    items = list(form.items.all())
    possible = sum(item.points for item in items)
    review_rows, deductions = [], []
    for community_id, agent_ids in team.items():
        for agent_id in agent_ids:
            for _n in range(4):
                off = [rng.choice((0, 0, 0, 1, 2, 5)) for _item in items]
                off = [min(o, item.points) for o, item in zip(off, items, strict=True)]
                review_rows.append(
                    Review(
                        community_id=community_id,
                        agent_id=agent_id,
                        reviewer=admin,
                        form=form,
                        subject="visit",
                        visit_note="bench",
                        points_possible=possible,
                        points_deducted=sum(off),
                        score=round(100 * (possible - sum(off)) / possible, 1),
                        created_at=at_in_month(rng),
                    )
                )
                deductions.append(off)
    review_rows = Review.objects.bulk_create(review_rows, batch_size=1000)
    ReviewMark.objects.bulk_create(
        [
            ReviewMark(review_id=review.pk, item_id=item.pk, deducted=off)
            for review, offs in zip(review_rows, deductions, strict=True)
            for item, off in zip(items, offs, strict=True)
        ],
        batch_size=2000,
    )

    questionnaire = surveys.questionnaire_monthly()
    responses = []
    for community in communities:
        survey_round = SurveyRound.objects.create(
            community=community,
            questionnaire=questionnaire,
            period=PERIOD,
            opens_on=PERIOD,
            closes_on=PERIOD + datetime.timedelta(days=14),
            state="closed",
            created_by=admin,
            created_at=timezone.now(),
        )
        for house_id in houses[community.pk]:
            if rng.random() < 0.3:
                responses.append(  # noqa: PERF401 — a draw per house
                    SurveyResponse(
                        round=survey_round,
                        community=community,
                        house_id=house_id,
                        channel="portal",
                        answered_at=at_in_month(rng),
                        scale_count=6,
                        satisfied_count=rng.choice((6, 6, 5, 5, 4, 3)),
                        lowest_score=3,
                    )
                )
    SurveyResponse.objects.bulk_create(responses, batch_size=2000)
    steps.done("reviews and survey answers")

    exam = Exam.objects.create(title="bench", topic_counts={"duties": 20}, created_by=admin)
    attempts, checks = [], []
    for community_id, agent_ids in team.items():
        for agent_id in agent_ids:
            started = at_in_month(rng)
            correct = rng.randrange(10, 21)
            attempts.append(
                ExamAttempt(
                    exam=exam,
                    community_id=community_id,
                    taker_id=agent_id,
                    state="submitted",
                    started_at=started,
                    deadline_at=started + datetime.timedelta(minutes=30),
                    finished_at=started + datetime.timedelta(minutes=20),
                    question_count=20,
                    correct_count=correct,
                    score=correct * 5,
                    passed=correct >= 16,
                )
            )
            fields = rng.randrange(200, 400)
            checks.append(
                EntryCheck(
                    community_id=community_id,
                    agent_id=agent_id,
                    period=PERIOD,
                    records_checked=fields // 10,
                    fields_checked=fields,
                    field_errors=rng.randrange(0, fields // 20),
                    checked_by=admin,
                    checked_at=timezone.now(),
                )
            )
    ExamAttempt.objects.bulk_create(attempts, batch_size=1000)
    EntryCheck.objects.bulk_create(checks, batch_size=1000)
    steps.done("exam attempts and entry checks")
    return {"lines": [line.number for line in lines], "admin": admin.pk}


# --- the month close, in its own process ----------------------------------------------------------


def close_month() -> None:
    """Compute and close every community's month; print one JSON line of figures."""
    from django.db import connection, reset_queries

    from propdesk.accounts.models import User
    from propdesk.estates import seeding
    from propdesk.estates.models import Community
    from propdesk.quality.models import Scorecard
    from propdesk.quality.selectors import dashboard
    from propdesk.quality.services import assessment

    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    communities = list(Community.objects.order_by("id"))
    connection.ensure_connection()
    reset_queries()
    load_before = load_text()
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    for community in communities:
        month = assessment.assessment_compute(actor=admin, community=community, period=PERIOD)
        assessment.assessment_close(actor=admin, month=month)
    close_wall, close_cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    load_after = load_text()
    cards = Scorecard.objects.filter(month__period=PERIOD)
    scored = {
        name: cards.filter(**{f"{name}__isnull": False}).count()
        for name in (
            "attitude",
            "knowledge",
            "communication",
            "problem_solving",
            "efficiency",
            "satisfaction",
        )
    }
    cpu1, wall1 = cpu_seconds(), time.perf_counter()
    figures = dashboard.dashboard(admin, month=PERIOD)
    board_wall, board_cpu = time.perf_counter() - wall1, cpu_seconds() - cpu1
    print(
        json.dumps(
            {
                "communities": len(communities),
                "scorecards": cards.count(),
                "scored": scored,
                "close_s": round(close_wall, 2),
                "close_cpu_s": round(close_cpu, 2),
                "load_before": load_before,
                "load_after": load_after,
                "peak_mb": peak_mb(),
                "dashboard_s": round(board_wall, 2),
                "dashboard_cpu_s": round(board_cpu, 2),
                "dashboard_rows": len(figures),
                "load_dashboard": load_text(),
            }
        )
    )


# --- the webhook against the floor ----------------------------------------------------------------

BENCH_URLS = """
import secrets

from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

import propdesk.urls
from propdesk.api.auth import TokenAuth
from propdesk.core.models import NumberSequence

token_auth = TokenAuth()


def hello(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def floor(request):
    # The least an authenticated write can do: the API's token check and one row inserted.
    token_auth(request)
    with transaction.atomic():
        row = NumberSequence.objects.create(scope="bench-floor:" + secrets.token_hex(8))
    return JsonResponse({"id": row.id}, status=201)


urlpatterns = [path("bench/hello", hello), path("bench/floor", floor), *propdesk.urls.urlpatterns]
"""
BENCH_SETTINGS = f"""{SERVER_SETTINGS}
ROOT_URLCONF = "benchsite.urls"
PBX_WEBHOOK_SECRET = {SECRET!r}
"""


def api_token(admin_id: int) -> str:
    from propdesk.accounts.models import ApiToken, User, hash_token

    key = ApiToken.generate_key()
    admin = User.objects.get(pk=admin_id)
    ApiToken.objects.create(
        user=admin,
        created_by=admin,
        name="bench",
        key_prefix=key[:12],
        key_hash=hash_token(key),
    )
    return key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds of the server and its workers so far (from /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if server.pid in (int(stat.parent.name), int(fields[1])):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class Load:
    """`clients` threads posting the next of `requests` (path, body, headers) for `seconds`."""

    def __init__(self, port, requests, clients, seconds):
        self.port, self.requests, self.clients, self.seconds = port, requests, clients, seconds
        self.next = 0
        self.ok = self.failed = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.next >= len(self.requests):
                return None
            item = self.requests[self.next]
            self.next += 1
            return item

    def worker(self, deadline):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.perf_counter() < deadline:
            item = self.take()
            if item is None:
                break
            path, body, headers = item
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                with self.lock:
                    self.failed += 1
                    self.errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            with self.lock:
                if 200 <= response.status < 300:
                    self.ok += 1
                else:
                    self.failed += 1
                    self.errors.append(f"{response.status} {data[:160]!r}")
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()

    def run(self, server) -> dict:
        load_before = load_text()
        cpu0 = server_cpu(server)
        started = time.perf_counter()
        threads = [
            threading.Thread(target=self.worker, args=(started + self.seconds,))
            for _ in range(self.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        cpu = server_cpu(server) - cpu0
        return {
            "ok": self.ok,
            "failed": self.failed,
            "per_second": round(self.ok / elapsed, 1),
            "server_cpu_ms": round(1000 * cpu / max(1, self.ok), 2),
            "load_before": load_before,
            "load_after": load_text(),
            "errors": self.errors[:2],
        }


def webhook_requests(lines, count, offset):
    from propdesk.quality.services.pbx import sign

    stamp = str(int(time.time()))
    out = []
    for n in range(count):
        body = json.dumps(
            {
                "call_id": f"WH{offset + n:09d}",
                "event": "ring",
                "at": datetime.datetime.now(SHANGHAI).isoformat(),
                "line": lines[n % len(lines)],
                "number": f"138{n % 10**8:08d}",
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-PBX-Timestamp": stamp,
            "X-PBX-Signature": sign(stamp, body, SECRET.encode()),
        }
        out.append(("/api/calls/events", body, headers))
    return out


def measure_webhook(args, var_dir: str, seeded: dict) -> list[dict]:
    site = Path(var_dir) / "benchsite"
    site.mkdir(exist_ok=True)
    (site / "__init__.py").write_text("")
    (site / "urls.py").write_text(textwrap.dedent(BENCH_URLS))
    (site / "settings.py").write_text(textwrap.dedent(BENCH_SETTINGS))
    key = api_token(seeded["admin"])
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "PYTHONPATH": os.pathsep.join([var_dir, str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "propdesk.wsgi:application"),
        *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"),
        *("--log-level", "warning", "--chdir", str(REPO)),
        # A worker's first request imports every app's URLs and API: on a loaded machine that
        # outlasts gunicorn's 30 s worker timeout, and the worker is killed and started again.
        *("--timeout", "600"),
    ]
    # The server's log goes to a file: an unread pipe fills up and hangs the server.
    log = open(Path(var_dir) / "server.log", "wb")  # noqa: SIM115 — closed in the finally
    server = subprocess.Popen(  # noqa: S603 — our own interpreter running gunicorn
        command, env=env, stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        for _attempt in range(600):
            if server.poll() is not None:
                log.flush()
                text = (Path(var_dir) / "server.log").read_text(errors="replace")
                sys.exit("the server did not start: " + text[-2000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/bench/hello")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        floor_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        enough = int(2000 * args.seconds)
        # Warm-up: each worker imports and connects.
        Load(port, webhook_requests(seeded["lines"], 40, 900_000_000), 2, 2).run(server)
        Load(port, [("/bench/floor", b"{}", floor_headers)] * 40, 2, 2).run(server)
        rounds = []
        for n in range(2):
            floor = Load(
                port, [("/bench/floor", b"{}", floor_headers)] * enough, args.clients, args.seconds
            ).run(server)
            hook = Load(
                port,
                webhook_requests(seeded["lines"], enough, n * enough),
                args.clients,
                args.seconds,
            ).run(server)
            rounds.append({"floor": floor, "webhook": hook})
        return rounds
    finally:
        server.terminate()
        try:
            server.wait(timeout=300)  # a loaded machine takes its time to stop the workers
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def main(argv=None):
    args = parse_args(argv)
    if args.tiny:
        args.agents, args.communities, args.houses = 12, 2, 400
        args.requests, args.calls = 2000, 4000
        args.seconds = min(args.seconds, 2.0)
    with tempfile.TemporaryDirectory(prefix="propdesk-quality-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        if args.close_only:
            setup(url, tmp)
            close_month()
            return
        if url.startswith("postgres"):
            fresh_postgres_database(url)
        setup(url, tmp)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        print(
            f"database {connection.vendor}, DEBUG {'on' if settings.DEBUG else 'off'}; "
            f"load average {load_text()}, {os.cpu_count()} CPUs"
        )
        started, cpu0 = time.perf_counter(), cpu_seconds()
        # The schema straight from the models (what `make run` does): replaying every migration
        # costs over a minute of CPU on a small machine, for seconds of SQL.
        call_command("setup_database", verbosity=0)
        print(
            f"schema in {time.perf_counter() - started:.0f} s ({cpu_seconds() - cpu0:.0f} s CPU)",
            flush=True,
        )
        seeded = seed_month(args, random.Random(f"quality-bench:{args.seed}"))
        print(
            f"seeded {args.agents} agents in {args.communities} communities, {args.houses:,} "
            f"houses, {args.requests:,} requests, {args.calls:,} calls in "
            f"{time.perf_counter() - started:.0f} s ({cpu_seconds() - cpu0:.0f} s CPU); "
            f"load average {load_text()}",
            flush=True,
        )
        connection.close()
        child = subprocess.run(  # noqa: S603 — this script again, to measure the close alone
            [sys.executable, __file__, "--close-only", "--database-url", url],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PROPDESK_VAR_DIR": tmp},
        )
        if child.returncode:
            sys.exit("the month close failed:\n" + child.stderr[-3000:])
        close = json.loads(child.stdout.strip().splitlines()[-1])
        met = close["close_s"] <= 10 and close["peak_mb"] <= 500
        print(
            f"month close: {close['communities']} communities, {close['scorecards']} scorecards "
            f"(scored per dimension: {close['scored']}) in {close['close_s']} s wall, "
            f"{close['close_cpu_s']} s CPU "
            f"({1000 * close['close_cpu_s'] / max(1, close['scorecards']):.1f} ms CPU a "
            f"scorecard), peak {close['peak_mb']} MB; load average before {close['load_before']}, "
            f"after {close['load_after']} — target 10 s and 500 MB {'met' if met else 'MISSED'}"
        )
        print(
            f"month dashboard ({close['dashboard_rows']} community-months over the calls, "
            f"requests, surveys and exams): {close['dashboard_s']} s wall, "
            f"{close['dashboard_cpu_s']} s CPU; load average {close['load_dashboard']}"
        )
        rounds = measure_webhook(args, tmp, seeded)
        ratios = []
        for n, result in enumerate(rounds, start=1):
            floor, hook = result["floor"], result["webhook"]
            ratio = hook["per_second"] / floor["per_second"] if floor["per_second"] else 0
            ratios.append(round(ratio, 2))
            for name, r in (("floor", floor), ("webhook", hook)):
                print(
                    f"round {n} {name:<7} {r['per_second']:>7} req/s ({r['ok']} ok, "
                    f"{r['failed']} failed{' ' + str(r['errors']) if r['errors'] else ''}), "
                    f"server CPU {r['server_cpu_ms']} ms a request; load average "
                    f"{r['load_before']} → {r['load_after']}"
                )
            print(
                f"round {n} webhook/floor {ratio:.2f} — target 0.5 "
                f"{'met' if ratio >= 0.5 else 'MISSED'}"
            )
        if args.json:
            Path(args.json).write_text(
                json.dumps({"close": close, "webhook": rounds, "ratios": ratios}, indent=1)
            )


if __name__ == "__main__":
    main()
