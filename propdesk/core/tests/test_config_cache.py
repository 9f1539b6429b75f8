"""The per-process configuration cache: a row missing from the cached mapping is looked up
again at once (it may have been added in another process since)."""

from propdesk.core.config_cache import cached_row, clear_cache


def test_a_missing_row_loads_the_mapping_again():
    clear_cache()
    rows = {1: "one"}
    loads = []

    def load():
        loads.append(1)
        return dict(rows)

    assert cached_row(("test-rows",), load, 1) == "one"
    assert cached_row(("test-rows",), load, 1) == "one"
    assert len(loads) == 1
    rows[2] = "two"  # added elsewhere after the mapping was cached
    assert cached_row(("test-rows",), load, 2) == "two"
    assert cached_row(("test-rows",), load, 2) == "two"
    assert len(loads) == 2
    assert cached_row(("test-rows",), load, 3) is None
    clear_cache()
