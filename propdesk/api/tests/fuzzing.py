"""Fuzzing the whole API with schemathesis: every operation, as one persona, against a small but
complete company, so generated ids can resolve.

`PROPDESK_FUZZ_EXAMPLES` sets the examples per operation, half of them valid and half invalid
input (25 by default; a nightly-size run sets e.g. 1000). `PROPDESK_FUZZ_REPORT` names a file
prefix the counts are written to as JSON, one file per role.
"""

import contextlib
import datetime
import json
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

EXAMPLES = int(os.environ.get("PROPDESK_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("PROPDESK_FUZZ_SEED", "2026"))
NOW = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def build_world() -> dict:
    """The demo company at a small size: two communities, houses, owners, requests, bills,
    counter work, keys, notices, and portal accounts (one a co-owner of two houses)."""
    from propdesk.accounts.models import Role, User
    from propdesk.accounts.services import api_token_create
    from propdesk.estates import services
    from propdesk.estates.demo import load_demo
    from propdesk.estates.models import Community, House

    started = time.perf_counter()
    load_demo(houses_per_community=12, request_days=20)
    print(f"demo company built in {time.perf_counter() - started:.1f} s")
    root = User.objects.get(username="root")
    owner_user = (
        User.objects.filter(role=Role.OWNER, owner_profile__isnull=False).order_by("id").first()
    )
    record = owner_user.owner_profile
    # The same person co-owns a second house with its first owner.
    second = (
        House.objects.filter(community_id=record.community_id, ownerships__end_on__isnull=True)
        .exclude(ownerships__owner=record)
        .order_by("id")
        .first()
    )
    services.ownership_add(
        actor=root, house=second, owner=record, start_on=datetime.date(2024, 1, 1)
    )
    supervisor = User.objects.get(username="supervisor")
    tokens = {}
    for role, user in (("owner", owner_user), ("supervisor", supervisor)):
        _token, tokens[role] = api_token_create(actor=root, user=user, name=f"fuzz {role}")
    return {
        "tokens": tokens,
        "communities": list(Community.objects.order_by("id").values_list("id", flat=True)),
    }


@dataclass
class Tally:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict = field(default_factory=lambda: defaultdict(list))  # operation -> messages
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time: comparable on a busy machine

    def as_dict(self) -> dict:
        server_errors = sum(n for s, n in self.statuses.items() if s >= 500)
        return {
            "cases": self.cases,
            "operations": None,
            "server_errors": server_errors,
            "failing_operations": len(self.failures),
            "statuses": dict(sorted(self.statuses.items())),
            "seconds": round(self.seconds, 1),
            "cpu_seconds": round(self.cpu_seconds, 1),
            "failures": {op: msgs[:3] for op, msgs in sorted(self.failures.items())},
        }


def load_schema():
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    from propdesk.api.urls import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = get_wsgi_application()
    return schema


@contextlib.contextmanager
def _connection_kept():
    """The cases go through the WSGI handler, whose request signals close a connection that is
    inside a transaction (the test's); on PostgreSQL the next case then finds it closed. Django's
    own test client detaches the same handler for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def fuzz(role: str, token: str) -> Tally:
    """Send every operation EXAMPLES positive and EXAMPLES negative cases as `role`."""
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    schema = load_schema()
    tally = Tally()
    started, cpu_started = time.perf_counter(), time.process_time()
    headers = {"Authorization": f"Bearer {token}"}
    operations = 0
    with _connection_kept():
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            for mode, examples in (
                (GenerationMode.POSITIVE, EXAMPLES - EXAMPLES // 2),
                (GenerationMode.NEGATIVE, EXAMPLES // 2),
            ):
                if examples:
                    _fuzz_operation(operation, mode, examples, headers, checks, tally)

    tally.seconds = time.perf_counter() - started
    tally.cpu_seconds = time.process_time() - cpu_started
    summary = tally.as_dict()
    summary["operations"] = operations
    report = os.environ.get("PROPDESK_FUZZ_REPORT")
    if report:
        with open(f"{report}.{role}.json", "w", encoding="utf-8") as out:
            json.dump(summary, out, ensure_ascii=False, indent=1)
    return tally


def _fuzz_operation(operation, mode, examples, headers, checks, tally) -> None:
    import hypothesis
    from django.db import transaction
    from hypothesis import HealthCheck, Phase, given
    from schemathesis.core.errors import InvalidSchema
    from schemathesis.core.failures import FailureGroup

    label = f"{operation.label}"

    def run(case):
        tally.cases += 1
        # Each case in a savepoint: on PostgreSQL a database error aborts the transaction, and
        # the next case must start clean rather than fail for the previous one.
        savepoint = transaction.savepoint()
        response = case.call(headers=headers)
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except InvalidSchema as exc:  # the document itself is wrong for this response
            tally.failures[label].append(f"Invalid response schema: {str(exc)[:400]}")
        except FailureGroup as group:  # record every distinct failure, keep fuzzing
            for failure in group.exceptions:
                text = f"{failure.title}: {failure.message}".replace("\n", " ")
                where = f"{case.method} {case.formatted_path} -> {response.status_code}"
                tally.failures[label].append(f"{text[:400]} [{where}] {response.text[:200]}")

    test = hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(case=operation.as_strategy(generation_mode=mode))(run))
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):  # nothing valid to send
        test()
