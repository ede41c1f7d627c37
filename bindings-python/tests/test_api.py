"""The Python API on the documented examples: the worked outcome of C-1001 and the
decision records of C-1013 (docs/cases-and-outcomes.md), `now` in every form, reports
that merge, errors with their codes and paths (docs/errors.md), bad cases that mark only
their own row, limits, and evaluation from several threads."""

from __future__ import annotations

import copy
import datetime as dt
import threading

import pyarrow as pa
import pytest

import docket
from conftest import NOW, instant

UTC = dt.timezone.utc


def by_id(table: pa.Table) -> dict:
    return {r["id"]: r for r in table.to_pylist()}


def test_the_worked_example_of_c_1001(policy_text, example_cases):
    # docs/cases-and-outcomes.md, "An outcome": every value below is from that page.
    row = by_id(docket.Engine(policy_text).evaluate(example_cases, NOW))["C-1001"]
    assert row["queue"] == "refund_validation"
    assert row["owner"] == "finance_ops"
    assert row["priority"] == "P1"
    assert (row["response_state"], row["response_due"]) == ("met", instant("2026-11-20T10:15:00Z"))
    assert (row["response_elapsed_s"], row["response_remaining_s"]) == (2700, 900)
    assert (row["resolution_state"], row["resolution_due"]) == ("breached", instant("2026-11-21T10:15:00Z"))
    assert (row["resolution_elapsed_s"], row["resolution_remaining_s"]) == (45900, -17100)
    assert row["band"] == "critical"
    assert row["next_change_at"] == instant("2026-11-23T13:15:01Z")
    assert row["approvals_remaining"] == ["finance_reviewer"]
    assert row["issues"] == []
    assert row["error"] is None and row["not_yet_open"] is False


def test_the_table_is_typed(policy_text, example_cases):
    engine = docket.Engine(policy_text)
    schema = engine.evaluate(example_cases, NOW).schema
    assert schema.field("id").type == pa.string()
    assert pa.types.is_dictionary(schema.field("queue").type)
    assert schema.field("response_due").type == pa.timestamp("s", tz="UTC")
    assert schema.field("resolution_elapsed_s").type == pa.int64()
    assert schema.field("approvals_remaining").type == pa.list_(pa.string())
    issue = schema.field("issues").type.value_type
    assert [f.name for f in issue] == ["code", "field", "detail", "reason"]
    assert schema.field("not_yet_open").type == pa.bool_()
    # One set of four columns a metric, in policy order.
    assert engine.metrics == ["response", "resolution"]
    assert [n for n in schema.names if n.startswith("response_")] == [
        "response_state", "response_due", "response_elapsed_s", "response_remaining_s"]


def test_the_decision_records_of_c_1013(policy_text, example_cases):
    # docs/cases-and-outcomes.md, "authorize": C-1013 with its refund_receipt.
    engine = docket.Engine(policy_text)
    case = dict(next(c for c in example_cases if c["id"] == "C-1013"), evidence=["refund_receipt"])
    d = engine.authorize(case, {"id": "agent-40", "roles": ["team_lead"]}, "close", NOW)
    assert (d["case"], d["actor"], d["action"], d["now"], d["allowed"]) == ("C-1013", "agent-40", "close", NOW, False)
    assert [r["code"] for r in d["reasons"]] == ["separation_of_duties", "approvals_pending"]
    assert d["reasons"][1]["roles"] == ["ops_manager", "finance_reviewer"]
    d = engine.authorize(case, {"id": "u-1", "roles": ["cfo"]}, "approve", NOW)
    assert d["allowed"] is True and d["reasons"] == []
    assert d["fills"] == {"role": "ops_manager", "rule": "A2", "as": "cfo"}
    # Recording that approval fills the step: finance_reviewer remains (the same page).
    case["approvals"] = [{"role": "cfo", "by": "u-1", "at": NOW}]
    assert by_id(engine.evaluate([case], NOW))["C-1013"]["approvals_remaining"] == ["finance_reviewer"]


@pytest.mark.parametrize(
    "now",
    [NOW, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), dt.datetime(2026, 11, 23, 10), 1_795_428_000,
     1_795_428_000.9, dt.datetime(2026, 11, 23, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=1, minutes=30)))],
    ids=["rfc3339", "aware", "naive-utc", "seconds", "float-floored", "offset"],
)
def test_now_in_every_form_is_the_same_instant(policy_text, example_cases, now):
    # 2026-11-23T10:00:00Z is 1,795,428,000 s after the epoch (20,415 days × 86,400 s
    # + 10 h); 11:30 at +01:30 is the same instant.
    engine = docket.Engine(policy_text)
    assert engine.evaluate(example_cases, now).equals(engine.evaluate(example_cases, NOW))


@pytest.mark.parametrize("now", ["yesterday", "2026-11-23", True, [], float("nan")])
def test_a_bad_now_is_an_argument_error(policy_text, example_cases, now):
    with pytest.raises(docket.ArgumentError) as e:
        docket.Engine(policy_text).evaluate(example_cases, now)
    assert (e.value.code, e.value.path) == ("invalid_argument", "now")


def test_reports_of_parts_merge_into_the_report_of_the_whole(policy_text, example_cases):
    engine = docket.Engine(policy_text)
    whole = engine.report(example_cases, NOW)
    a = engine.report(example_cases[:6], NOW)
    b = engine.report(pa.Table.from_pylist(example_cases[6:7]), NOW)
    c = engine.report(example_cases[7:], NOW)
    a.merge(b)
    a.merge(c)
    assert a.to_dict() == whole.to_dict()
    assert whole.cases == 15 and whole.to_dict()["cases"] == 15
    empty = engine.empty_report(NOW)
    empty.merge(whole)
    assert empty.to_dict() == whole.to_dict()


def test_reports_that_cannot_merge(policy_text, example_cases):
    engine = docket.Engine(policy_text)
    r = engine.report(example_cases, NOW)
    with pytest.raises(docket.ArgumentError) as e:
        r.merge(r)
    assert (e.value.code, e.value.path) == ("invalid_argument", "other")
    with pytest.raises(docket.ArgumentError) as e:
        r.merge(engine.report(example_cases, "2026-11-24T10:00:00Z"))
    assert e.value.path == "other"
    other = docket.Engine(policy_text.replace('"2026.11.2"', '"2026.11.3"'))
    with pytest.raises(docket.ArgumentError) as e:
        r.merge(other.report(example_cases, NOW))
    assert e.value.path == "other"
    # The same policy compiled twice is the same policy.
    r.merge(docket.Engine(policy_text).report(example_cases[:1], NOW))
    assert r.cases == 16


def test_a_bad_case_marks_only_its_own_row(policy_text, example_cases):
    good = example_cases[0]
    circular: dict = {"id": "C-loop", "kind": "refund", "opened_at": NOW}
    circular["note"] = circular
    deep = {"id": "C-deep", "kind": "refund", "opened_at": NOW, "note": []}
    node = deep["note"]
    for _ in range(200):
        node.append([])
        node = node[0]
    cases = [
        good,
        42,                                               # not a record: not_an_object
        '{"id": "C-t", "kind": ',                          # text that is not JSON: bad_json
        {"id": "C-nk", "opened_at": NOW},                  # no kind: missing_kind
        {"id": "C-s", "kind": "refund", "order_id": "O-\ud800", "opened_at": NOW},  # not Unicode: bad_json
        {"id": "C-set", "kind": "refund", "tags": {1, 2}, "opened_at": NOW},          # no JSON value: not_an_object
        circular,                                         # inside itself: too_large
        deep,                                             # nested past 127 levels: too_large
        {"kind": "refund", "opened_at": NOW},             # no id: missing_id
        json_text(example_cases[1]),                      # a case as JSON text is read as one
    ]
    rows = docket.Engine(policy_text).evaluate(cases, NOW).to_pylist()
    assert [r["error"] for r in rows] == [
        None, "not_an_object", "bad_json", "missing_kind", "bad_json", "not_an_object", "too_large", "too_large",
        "missing_id", None]
    assert rows[0] == docket.Engine(policy_text).evaluate([good], NOW).to_pylist()[0]
    assert rows[-1]["id"] == example_cases[1]["id"] and rows[-1]["queue"] == "refund_validation"
    assert rows[3]["id"] == "C-nk" and rows[3]["queue"] is None and rows[3]["issues"] is None


def json_text(case: dict) -> str:
    import json

    return json.dumps(case)


def test_a_case_opened_after_now_is_not_yet_open(policy_text, example_cases):
    case = dict(example_cases[0], id="C-later", opened_at="2026-11-24T00:00:00Z")
    row = docket.Engine(policy_text).evaluate([case], NOW).to_pylist()[0]
    # docs/cases-and-outcomes.md: `not_yet_open` instead of everything else.
    assert row["not_yet_open"] is True and row["id"] == "C-later"
    assert all(row[k] is None for k in row if k not in ("id", "not_yet_open"))


def test_policy_errors(policy_text):
    with pytest.raises(docket.PolicyError) as e:
        docket.Engine('{"docket": 1, "name": ')
    assert (e.value.code, e.value.path) == ("invalid_json", "")
    assert e.value.errors[0]["code"] == "invalid_json" and e.value.warnings == []
    deep: dict = {}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(docket.PolicyError) as e:
        docket.Engine(deep)
    # As JSON text nested that deep: over a limit (errors.md), at the value too deep.
    assert e.value.code == "limit_exceeded" and e.value.path.startswith("/x/x/")
    bad = __import__("json").loads(policy_text)
    bad["fields"]["amount"] = {"type": {"money"}}
    with pytest.raises(docket.ArgumentError) as e:
        docket.Engine(bad)
    assert (e.value.code, e.value.path) == ("invalid_argument", "policy.fields.amount.type")
    for wrong in (42, None, ["docket"]):
        with pytest.raises(docket.ArgumentError) as e:
            docket.Engine(wrong)
        assert (e.value.code, e.value.path) == ("invalid_argument", "policy")


def test_argument_errors(policy_text, example_cases):
    engine = docket.Engine(policy_text)
    for actor, path in [("u-1", "actor"), ({"id": 5, "roles": []}, "actor.id"), ({"roles": []}, "actor")]:
        with pytest.raises(docket.ArgumentError) as e:
            engine.authorize(example_cases[0], actor, "close", NOW)
        assert (e.value.code, e.value.path) == ("invalid_argument", path)
    with pytest.raises(docket.ArgumentError) as e:
        engine.authorize(example_cases[0], {"id": "u-1", "roles": []}, 5, NOW)
    assert e.value.path == "action"
    with pytest.raises(docket.ArgumentError) as e:
        engine.evaluate(42, NOW)
    assert e.value.path == "cases"
    with pytest.raises(docket.ArgumentError) as e:
        docket.Engine(policy_text, limits={"max_nothing": 1})
    assert e.value.path == "limits.max_nothing"
    assert issubclass(docket.PolicyError, docket.DocketError) and issubclass(docket.ArgumentError, docket.DocketError)


def test_limits_apply_to_each_case(policy_text, example_cases):
    engine = docket.Engine(policy_text, limits={"max_case_bytes": 300})
    big = dict(example_cases[1], note="x" * 400)
    rows = engine.evaluate([example_cases[1], big], NOW).to_pylist()
    # A record over max_case_bytes (measured as its compact JSON) is too_large.
    assert [r["error"] for r in rows] == [None, "too_large"]


def test_engine_properties(policy_text):
    e = docket.Engine(policy_text)
    assert (e.name, e.version) == ("acme-order-ops", "2026.11.2")
    assert e.fingerprint.startswith("sha256:")
    assert "refund_validation" in e.queues and e.priorities[:2] == ["P1", "P2"]
    assert e.check() == []


def test_evaluation_from_several_threads(policy_text, example_cases):
    engine = docket.Engine(policy_text)
    table = pa.Table.from_pylist(copy.deepcopy(example_cases) * 200)
    want = engine.evaluate(table, NOW)
    got: list = [None] * 4

    def run(i):
        got[i] = engine.evaluate(table, NOW) if i % 2 else engine.evaluate(example_cases * 200, NOW)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[1].equals(want) and got[3].equals(want)
    assert got[0].equals(engine.evaluate(example_cases * 200, NOW))


def test_report_split_and_flow_arguments(policy_text, example_cases):
    engine = docket.Engine(policy_text)
    split = engine.report(example_cases, NOW, by=["channel"]).to_dict()
    assert split["cases"] == 15
    with pytest.raises(docket.ArgumentError) as e:
        engine.report(pa.Table.from_pylist(example_cases), NOW, by=["channel"])
    assert (e.value.code, e.value.path) == ("invalid_argument", "by")
    with pytest.raises(docket.ArgumentError) as e:
        engine.report(example_cases, NOW, by=["no_such_field"])
    assert e.value.path == "by"
    with pytest.raises(docket.ArgumentError) as e:
        engine.report(example_cases, NOW, flow={"since": "2026-11-16T00:00:00Z", "bucket": "month"})
    assert e.value.path == "flow.bucket"
    with pytest.raises(docket.ArgumentError) as e:
        engine.report(example_cases, NOW, flow={"since": "2026-11-24T00:00:00Z"})
    # A period that starts after `now` (errors.md: invalid_argument).
    assert (e.value.code, e.value.path) == ("invalid_argument", "flow.since")
    week = {"since": "2026-11-16T00:00:00Z", "bucket": "week"}
    a = engine.report(example_cases[:5], NOW, flow=week)
    a.merge(engine.report(example_cases[5:], NOW, flow=week))
    assert a.to_dict() == engine.report(example_cases, NOW, flow=week).to_dict()
    with pytest.raises(docket.ArgumentError) as e:
        a.merge(engine.report(example_cases, NOW))
    assert e.value.path == "other"
    with pytest.raises(docket.ArgumentError) as e:
        engine.report(example_cases, NOW).merge(engine.report(example_cases, NOW, by=["channel"]))
    assert e.value.path == "other"
