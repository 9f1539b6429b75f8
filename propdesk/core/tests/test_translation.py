"""Every Chinese catalogue (the project's and each app's own) is complete:
nothing untranslated or fuzzy.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_the_project_and_app_catalogues_are_found():
    assert PACKAGE / "locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by setup")
@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_message_has_a_chinese_translation(catalogue):
    result = subprocess.run(  # noqa: S603 — gettext's own checker on our catalogue
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


# --- every string the code and templates ask to translate has a translation ---------------------

KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}


def _calls_inside_fstrings(source: str) -> list[str]:
    """`_("x")` written inside an f-string, as plain calls: xgettext reads an f-string as one
    literal and never sees them (a PDF's "Total in words" went untranslated that way)."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)):
                continue
            args = [a.value for a in inner.args if isinstance(a, ast.Constant)]
            if not args or not all(isinstance(a, str) for a in args):
                continue
            name = inner.func.id
            if name in SINGULAR:
                found.append(f"gettext({args[0]!r})")
            elif name in PLURAL and len(args) >= 2:
                found.append(f"ngettext({args[0]!r}, {args[1]!r}, 1)")
            elif name in CONTEXT and len(args) >= 2:
                found.append(f"pgettext({args[0]!r}, {args[1]!r})")
    return found


def _sources(tmp_path: Path) -> list[str]:
    """The files makemessages would read: Python code (not tests) and the templates, turned
    into Python by Django's own templatize."""
    from django.utils.translation.template import templatize

    files, embedded = [], []
    for template in sorted(PACKAGE.glob("**/templates/**/*")):
        if template.suffix not in {".html", ".txt"}:
            continue
        out = tmp_path / (str(template.relative_to(PACKAGE)).replace("/", "__") + ".py")
        out.write_text(templatize(template.read_text(), origin=str(template)))
        files.append(str(out))
    for module in sorted(PACKAGE.glob("**/*.py")):
        parts = module.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or module.name == "conftest.py":
            continue
        files.append(str(module))
        embedded += _calls_inside_fstrings(module.read_text())
    extra = tmp_path / "inside_fstrings.py"
    extra.write_text("\n".join(embedded) + "\n")
    return [*files, str(extra)]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by setup")
def test_every_string_in_code_and_templates_is_in_a_catalogue(tmp_path):
    """A string marked for translation in a template, a page, an API message or a PDF that no
    catalogue translates shows in English to a Chinese user; makemessages misses some (calls
    inside f-strings), and a helper may forget to add one. Any catalogue may hold it: Django
    merges them at run time."""
    reference = tmp_path / "used.pot"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *KEYWORDS,
            "-o",
            str(reference),
            *_sources(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    merged = tmp_path / "all.po"
    subprocess.run(  # noqa: S603
        ["msgcat", "--use-first", "-o", str(merged), *map(str, CATALOGUES)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    result = subprocess.run(  # noqa: S603 — untranslated and fuzzy entries count as missing
        ["msgcmp", str(merged), str(reference)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    missing = [line for line in result.stderr.splitlines() if "used but not defined" in line]
    details = _missing_msgids(reference, missing)
    assert not missing, "Strings without a Chinese translation:\n" + "\n".join(details)


def _missing_msgids(reference: Path, missing: list[str]) -> list[str]:
    lines = reference.read_text().splitlines()
    out = []
    for line in missing:
        number = int(line.split(":")[1]) - 1
        while number > 0 and not lines[number].startswith("msgid "):
            number -= 1
        out.append(lines[number])
    return out


def test_a_persons_name_reads_xingming_not_mingcheng(client, db):
    """A thing's "Name" is 名称; a person's (an owner, a resident, a cared-for resident) is 姓名.
    The project's catalogue wins over an app's, so the person's needs its own context."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("zh-hans"):
        assert pgettext("person", "Name") == "姓名"
        assert gettext("Name") == "名称"
