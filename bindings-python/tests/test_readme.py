"""The Python code of the READMEs is run as it is written, from the repository root:
the data teams section of README.md (pandas, polars, Spark) and every example of
bindings-python/README.md. A block that raises, or an `assert` in it that does not
hold, fails its test; where a block prints outcomes, the test also checks them against
the documented worked example (C-1001, docs/cases-and-outcomes.md)."""

from __future__ import annotations

import os
import re

import pytest

from conftest import CASES_PATH, ROOT, read_ndjson


def blocks(path: str, section: str | None = None) -> list:
    with open(path) as f:
        text = f.read()
    if section is not None:
        start = text.index(section)
        end = text.find("\n## ", start + len(section))
        text = text[start:end if end >= 0 else None]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def run(code_blocks, monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    ns: dict = {"__name__": "readme"}
    for code in code_blocks:
        exec(compile(code, "<readme>", "exec"), ns)
    return ns


def test_the_data_teams_section_of_readme(spark, monkeypatch, capsys):
    code = blocks(os.path.join(ROOT, "README.md"), "## For data teams")
    assert len(code) == 3, "pandas, polars and Spark"
    ns = run(code, monkeypatch)
    assert "refund_validation" in capsys.readouterr().out
    # The Spark block's DataFrame and merged report: the 15 example cases, and exactly
    # the report of one engine over them.
    assert ns["outcomes"].count() == 15
    engine = ns["engine"]
    whole = engine.report(read_ndjson(CASES_PATH), "2026-11-23T10:00:00Z")
    assert ns["report"].to_dict() == whole.to_dict()


def test_pandas_block_gives_the_worked_example(monkeypatch):
    code = blocks(os.path.join(ROOT, "README.md"), "## For data teams")[0]
    ns = run([code], monkeypatch)
    row = ns["outcomes"].set_index("id").loc["C-1001"]
    assert (row["queue"], row["priority"], row["resolution_state"]) == ("refund_validation", "P1", "breached")
    assert row["resolution_remaining_s"] == -17100


def test_polars_block(monkeypatch):
    code = blocks(os.path.join(ROOT, "README.md"), "## For data teams")[:2]
    ns = run(code, monkeypatch)
    polars_out = ns["outcomes"]
    c1001 = polars_out.filter(polars_out["id"] == "C-1001").to_dicts()[0]
    assert (c1001["queue"], c1001["band"], c1001["resolution_elapsed_s"]) == ("refund_validation", "critical", 45900)


@pytest.mark.parametrize("index", range(len(blocks(os.path.join(ROOT, "bindings-python", "README.md")))))
def test_bindings_python_readme(index, spark, monkeypatch):
    code = blocks(os.path.join(ROOT, "bindings-python", "README.md"))
    assert len(code) == 3
    run([code[index]], monkeypatch)
