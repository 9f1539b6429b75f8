"""Every refusal of the community services and API names a code from `community.error_codes`:
no code is written as a bare string, and every code named there exists."""

import re
from pathlib import Path

from propdesk.community import error_codes

APP = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((APP / "services").glob("*.py")), APP / "api.py"]


def test_no_code_is_written_as_a_bare_string():
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        assert not re.findall(r"\bcode=\"[a-z_]+\"", text), source.name


def test_every_code_named_exists_and_is_stable_text():
    named = set()
    for source in SOURCES:
        named |= set(re.findall(r"error_codes\.([A-Z_]+)", source.read_text(encoding="utf-8")))
    assert named, "the services name their codes"
    for name in sorted(named):
        value = getattr(error_codes, name)
        assert re.fullmatch(r"[a-z_]+", value), (name, value)
