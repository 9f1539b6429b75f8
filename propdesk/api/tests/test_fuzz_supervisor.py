"""Every API operation fuzzed with a supervisor's token: no 5xx, every response fits its schema.

Run time and size: see fuzzing.py (PROPDESK_FUZZ_EXAMPLES for the nightly-size run).
"""

import time_machine

from propdesk.api.tests.fuzzing import NOW, build_world, fuzz


def test_every_operation_answers_a_supervisor_within_its_schema(db, settings):
    settings.PBX_WEBHOOK_SECRET = "fuzz-only-secret"  # configured, so bad signatures get 401
    with time_machine.travel(NOW, tick=True):
        world = build_world()
        tally = fuzz("supervisor", world["tokens"]["supervisor"])
    assert tally.cases > 0
    assert not tally.failures, "\n".join(f"{op}: {m[0]}" for op, m in tally.failures.items())
    assert not [s for s in tally.statuses if s >= 500]
