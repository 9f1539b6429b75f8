"""`propdesk triage INPUT.csv OUTPUT.csv`: one output row per input row, errors on stderr."""

import csv
import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _run(tmp_path, content: bytes, *extra):
    source = tmp_path / "in.csv"
    target = tmp_path / "out.csv"
    source.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        call_command("triage", str(source), str(target), *extra, stdout=out)
    finally:
        sys.stderr = old
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_rows_in_order_with_errors_for_bad_rows(tmp_path):
    content = (
        "\ufeffid,source,text\n"
        "a1,x,楼上水管爆了，水从天花板往下流，客厅已经淹了\n"
        "a2,x,短\n"
        'a3,x,"楼下麻将馆每天打到凌晨两点，吵得睡不着"\n'
        "a4,x,电梯\x00坏了坏了\n"
        "a5,x,\n"
        "a6,x,物业费为什么今年涨了也没有公示\n"
    ).encode()
    content += b"a7,x,\xff\xfe\xfd\xfc\xfb\n"
    rows, out, err = _run(tmp_path, content)
    assert rows[0] == ["id", "category", "kind", "urgency", "department", "category_confidence"]
    assert [r[0] for r in rows[1:]] == ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["a1"][1:5] == ["repair_water", "repair", "emergency", "engineering"]
    assert 0 < float(by_id["a1"][5]) <= 1
    assert by_id["a3"][1] == "noise"
    for bad in ("a2", "a4", "a5", "a7"):
        assert by_id[bad][1:] == ["", "", "", "", ""]
        assert f"(id {bad})" in err
    assert "7 rows" in out
    assert "[" in err  # the progress bar


@pytest.mark.django_db
def test_missing_columns_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="id and text"):
        _run(tmp_path, "number,message\n1,电梯坏了啊\n".encode())


@pytest.mark.django_db
def test_empty_file_and_missing_file(tmp_path):
    with pytest.raises(CommandError):
        _run(tmp_path, b"")
    with pytest.raises(CommandError):
        call_command("triage", str(tmp_path / "nope.csv"), str(tmp_path / "out.csv"))


@pytest.mark.django_db
def test_unknown_community(tmp_path):
    with pytest.raises(CommandError):
        _run(tmp_path, "id,text\n1,电梯坏了啊啊\n".encode(), "--community", "999999")


def test_setup_builds_the_labels_model_into_its_cache(settings):
    """`make setup` runs `assistant_train --base`: the model the labels give, cached by their
    checksum, so a new installation's first suggestion waits for no training."""
    from pathlib import Path

    from propdesk.assistant import training

    out = io.StringIO()
    call_command("assistant_train", "--base", stdout=out)
    checksum = training.data_checksum()
    assert out.getvalue().strip() == f"base-{checksum[:12]}"
    cached = Path(settings.BASE_DIR) / "var" / "assistant" / f"triage-{checksum[:16]}.pickle"
    model = training.loads(cached.read_bytes())
    assert model.predict_many(["楼上漏水，天花板在滴水"])[0].category == "repair_water"
