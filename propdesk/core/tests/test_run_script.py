"""`make run` keeps the terminal for the logins: the worker's and the server's logs go to files
under var/, and the logins are printed last, once the server answers."""

from pathlib import Path

SCRIPT = (Path(__file__).resolve().parents[3] / "scripts" / "run.sh").read_text()


def test_the_worker_and_the_server_log_to_files_under_var():
    worker = next(line for line in SCRIPT.splitlines() if "run_huey" in line)
    server = next(line for line in SCRIPT.splitlines() if "runserver" in line)
    assert ">>var/worker.log 2>&1 &" in worker
    assert ">>var/server.log 2>&1 &" in server


def test_the_logins_come_last_after_the_server_answers():
    lines = [line.strip() for line in SCRIPT.splitlines() if line.strip()]
    answered = next(i for i, line in enumerate(lines) if "/healthz" in line)
    printed = next(i for i, line in enumerate(lines) if line.startswith('echo "$logins"'))
    assert answered < printed and lines[printed + 1] == 'wait "$server"'


def test_the_demo_lists_staff_logins_apart_from_the_owner(db, capsys):
    from django.core.management import call_command

    call_command("demo", houses_per_community=4, request_days=3)
    out = capsys.readouterr().out
    staff = out[out.index("Demo data ready") : out.index("Owners sign in")]
    assert "agent" in staff and "owner " not in staff and "owner\n" not in staff
    assert "/m/" in out[out.index("Owners sign in") :]
