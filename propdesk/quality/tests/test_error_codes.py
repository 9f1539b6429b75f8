"""Every error the quality app raises carries a stable code from one module (STYLE.md rule 3)."""

import ast
import pathlib

from propdesk.quality import error_codes

APP = pathlib.Path(__file__).resolve().parent.parent
ERRORS = {"ValidationFailed", "Conflict", "PermissionDenied", "Unauthorized", "AppError"}


def _raised_errors():
    for path in sorted(APP.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
                if name in ERRORS and node.exc.args:
                    yield path.relative_to(APP), node.lineno, node.exc


def test_every_raised_error_names_a_code_from_the_modules():
    missing, literal = [], []
    for path, line, call in _raised_errors():
        code = next((kw.value for kw in call.keywords if kw.arg == "code"), None)
        if code is None:
            missing.append(f"{path}:{line}")
        elif isinstance(code, ast.Constant):
            literal.append(f"{path}:{line}")
    assert missing == []
    assert literal == []


def test_codes_are_unique_and_plain():
    codes = {
        name: value
        for name, value in vars(error_codes).items()
        if name.isupper() and isinstance(value, str)
    }
    assert len(set(codes.values())) == len(codes)
    assert all(value.replace("_", "").isalpha() and value.islower() for value in codes.values())
