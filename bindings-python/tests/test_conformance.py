"""The shared conformance fixtures (tests/conformance/*.json, format in its README), run
through the Python API as the Rust, C and Node suites run them: evaluation (the full
outcomes of ``Engine.outcomes`` subset-matched; the rows of ``Engine.evaluate`` equal to
their documented projection), the report, the compile warnings, authorize; and the
failures of errors.json through the ``Engine`` constructor (code, path and first
diagnostic of the ``PolicyError``). Each fixture's cases go in as a list of dicts and,
where pyarrow can type them, as an Arrow table too: both must meet every expectation."""

from __future__ import annotations

import glob
import json
import os

import pyarrow as pa
import pytest

import docket
from conftest import ROOT, mismatch, project

FILES = sorted(glob.glob(os.path.join(ROOT, "tests", "conformance", "*.json")))


def load(path):
    with open(path) as f:
        return json.load(f)


def test_the_fixtures_are_there():
    names = [os.path.basename(f) for f in FILES]
    assert len(names) >= 10, names
    assert "errors.json" in names


FIXTURES = [f for f in FILES if "failures" not in load(f)]
FAILURES = [f for f in FILES if "failures" in load(f)]


def arrow_of(cases):
    """The cases as one Arrow table (columns: the union of their keys), or None when
    pyarrow cannot give a key one type across the cases (a fixture of mixed kinds)."""
    try:
        return pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(cases))])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_fixture(path):
    fx = load(path)
    inputs = [("dicts", fx["cases"])]
    table = arrow_of(fx["cases"])
    if table is not None:
        inputs.append(("arrow", table))
    for policy in (fx["policy"], json.dumps(fx["policy"])):
        # `seed`: the QA sample's seed instead of the policy's (optional).
        engine = docket.Engine(policy, seed=fx.get("seed"))
        for form, cases in inputs:
            outcomes = engine.outcomes(cases, fx["now"])
            assert len(outcomes) == len(fx["cases"])
            by_id = {o.get("id"): o for o in outcomes}
            for i, e in enumerate(fx.get("expect", [])):
                assert e["case"] in by_id, f"{form}: no outcome for {e['case']}"
                m = mismatch(e["outcome"], by_id[e["case"]])
                assert m is None, f"{form} {e['case']} #{i}{m}\nwhy: {e.get('why')}"
            # The table holds exactly the documented parts of the same outcomes.
            rows = engine.evaluate(cases, fx["now"]).to_pylist()
            assert rows == [project(o, engine.metrics) for o in outcomes], form
            if "report" in fx and (form == "dicts" or not fx["report"].get("by")):
                # A report split by fields reads each case's fields: records only.
                rep = engine.report(cases, fx["now"], by=fx["report"].get("by"), flow=fx["report"].get("flow"))
                m = mismatch(fx["report"]["expect"], rep.to_dict())
                assert m is None, f"{form} report{m}\nwhy: {fx['report'].get('why')}"
        if "warnings" in fx:
            m = mismatch(fx["warnings"]["expect"], engine.check())
            assert m is None, f"warnings{m}\nwhy: {fx['warnings'].get('why')}"
        for i, a in enumerate(fx.get("authorize", [])):
            case = next(c for c in fx["cases"] if c.get("id") == a["case"])
            decision = engine.authorize(case, a["actor"], a["action"], a.get("now", fx["now"]))
            m = mismatch(a["expect"], decision)
            assert m is None, f"authorize #{i} {a['case']} {a['action']}{m}\nwhy: {a.get('why')}"


def test_the_arrow_form_covers_most_fixtures():
    # The Arrow run above is only as good as the fixtures it takes: most must.
    typed = [f for f in FIXTURES if arrow_of(load(f)["cases"]) is not None]
    assert len(typed) >= len(FIXTURES) // 2, [os.path.basename(f) for f in typed]


def failures():
    for path in FAILURES:
        for i, f in enumerate(load(path)["failures"]):
            if "policy_text" in f:
                yield pytest.param(f["policy_text"], f, id=f"{os.path.basename(path)}#{i}-text")
            else:
                yield pytest.param(f["policy"], f, id=f"{os.path.basename(path)}#{i}-dict")
                yield pytest.param(json.dumps(f["policy"]), f, id=f"{os.path.basename(path)}#{i}-dict-as-text")


@pytest.mark.parametrize("policy,failure", list(failures()))
def test_failure(policy, failure):
    with pytest.raises(docket.PolicyError) as info:
        docket.Engine(policy)
    e = info.value
    actual = {"code": e.code, "path": e.path}
    expected = {"code": failure["expect"]["code"], "path": failure["expect"]["path"]}
    if "first_diagnostic" in failure["expect"]:
        actual["first_diagnostic"] = e.errors[0]["code"] if e.errors else None
        expected["first_diagnostic"] = failure["expect"]["first_diagnostic"]
    assert actual == expected, f"{e}\nwhy: {failure['why']}"
    assert isinstance(e, docket.DocketError)
