"""Arrow input: every Arrow form of a case reads as the same case given as a JSON record
(the promise of the core's columnar path, README "Using the Rust crate"), so each test
here evaluates one set of cases as a list of dicts and in an Arrow form, and the full
outcomes must be equal. Also: the PyCapsule interface from pyarrow, pandas, polars and a
plain class; batches longer than one output batch; an empty input; and the column
errors of a batch that cannot be read."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest

import docket
from conftest import NOW

UTC = dt.timezone.utc
TS = pa.timestamp("s", tz="UTC")
CAT = pa.dictionary(pa.int32(), pa.string())


def t(s):
    return None if s is None else dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def strings(cases) -> pa.Table:
    """The cases as pyarrow types them: the union of their keys, strings as strings."""
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(cases))])


def typed(cases, ts=TS, money=pa.decimal128(12, 2), text=pa.string(), cat=CAT, lists=pa.list_) -> pa.Table:
    """The cases with typed columns: instants, decimals, categoricals, lists of structs."""
    schema = pa.schema([
        ("id", text), ("kind", cat), ("amount", money), ("currency", text), ("order_id", text),
        ("channel", cat), ("customer_tier", cat), ("region", cat), ("fraud_score", pa.float64()),
        ("vendor_failures_90d", pa.int32()), ("orders_affected", pa.int16()), ("split_shipment", pa.bool_()),
        ("carrier", text), ("opened_at", ts), ("response_at", ts), ("resolution_at", ts), ("closed_at", ts),
        ("requested_by", text),
        ("paused", lists(pa.struct([("from", ts), ("to", ts)]))),
        ("approvals", lists(pa.struct([("role", cat), ("by", text), ("at", ts)]))),
        ("evidence", lists(cat)),
    ])
    rows = []
    for c in cases:
        r = {k: c.get(k) for k in schema.names}
        for k in ("opened_at", "response_at", "resolution_at", "closed_at"):
            r[k] = t(c.get(k))
        if c.get("amount") is not None and not pa.types.is_string(money):
            r["amount"] = decimal.Decimal(c["amount"])
        r["paused"] = [{"from": t(p["from"]), "to": t(p.get("to"))} for p in c.get("paused", [])] or None
        r["approvals"] = [{"role": a["role"], "by": a["by"], "at": t(a.get("at"))} for a in c.get("approvals", [])] or None
        rows.append(r)
    return pa.Table.from_pylist(rows, schema=schema)


@pytest.fixture(scope="module")
def engine(policy_text):
    return docket.Engine(policy_text)


@pytest.fixture(scope="module")
def cases(example_cases):
    """The example cases a typed money column can hold (C-1011's amount is
    "not-a-number", which no decimal column holds)."""
    out = []
    for c in example_cases:
        try:
            decimal.Decimal(c.get("amount", "0"))
        except decimal.InvalidOperation:
            continue
        out.append(c)
    assert len(out) == len(example_cases) - 1
    return out


def same(engine, dicts, arrow):
    """`arrow` (or, for a stream that reads once, a function making it) gives the same
    outcomes as the records `dicts`."""
    fresh = arrow if callable(arrow) else (lambda: arrow)
    want = engine.outcomes(dicts, NOW)
    got = engine.outcomes(fresh(), NOW)
    for w, g in zip(want, got):
        assert g == w, f"case {w.get('id')}"
    assert len(got) == len(want)
    assert engine.evaluate(fresh(), NOW).equals(engine.evaluate(dicts, NOW))


def test_strings_as_pyarrow_types_them(engine, example_cases):
    same(engine, example_cases, strings(example_cases))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin", None])
def test_timestamps_of_any_unit_and_zone(engine, cases, unit, tz):
    # An instant is the same instant in any unit or zone; a zone-less timestamp is UTC.
    same(engine, cases, typed(cases, ts=pa.timestamp(unit, tz=tz)))


@pytest.mark.parametrize(
    "money", [pa.decimal128(12, 2), pa.decimal128(38, 6), pa.decimal256(40, 3), pa.string()],
    ids=["decimal128", "decimal128-wide-scale", "decimal256", "string"])
def test_money_stays_exact(engine, cases, money):
    same(engine, cases, typed(cases, money=money))


@pytest.mark.parametrize(
    "text,cat,lists",
    [(pa.large_string(), pa.large_string(), pa.large_list), (pa.string_view(), pa.dictionary(pa.int8(), pa.string()), pa.list_),
     (pa.string(), pa.string(), pa.large_list)],
    ids=["large", "view-and-int8-keys", "plain-strings"])
def test_string_layouts(engine, cases, text, cat, lists):
    same(engine, cases, typed(cases, text=text, cat=cat, lists=lists))


def test_list_columns_of_items(engine, cases):
    # paused_from / paused_to and approval_by / approval_role / approval_at: the list
    # columns of the core, one list a case.
    cols = {c: [] for c in ("paused_from", "paused_to", "approval_by", "approval_role", "approval_at")}
    for c in cases:
        cols["paused_from"].append([t(p["from"]) for p in c.get("paused", [])])
        cols["paused_to"].append([t(p.get("to")) for p in c.get("paused", [])])
        cols["approval_by"].append([a["by"] for a in c.get("approvals", [])])
        cols["approval_role"].append([a["role"] for a in c.get("approvals", [])])
        cols["approval_at"].append([t(a.get("at")) for a in c.get("approvals", [])])
    base = typed(cases).drop_columns(["paused", "approvals"])
    for name in ("paused_from", "paused_to", "approval_at"):
        base = base.append_column(name, pa.array(cols[name], type=pa.list_(TS)))
    for name in ("approval_by", "approval_role"):
        base = base.append_column(name, pa.array(cols[name], type=pa.list_(pa.string())))
    same(engine, cases, base)


def test_unknown_and_null_columns_are_ignored(engine, example_cases):
    table = strings(example_cases).append_column("note", pa.array(["x"] * len(example_cases)))
    table = table.append_column("carrier_code", pa.nulls(len(example_cases)))
    table = table.set_column(table.schema.get_field_index("customer_tier"), "customer_tier", pa.nulls(len(example_cases)))
    dicts = [{k: v for k, v in dict(c, note="x").items() if k != "customer_tier"} for c in example_cases]
    same(engine, dicts, table)


def test_a_value_of_the_wrong_kind_is_that_rows_issue(engine, example_cases):
    # A struct where money is expected, a list where the id is: in JSON, {"amount":
    # {"x": 1}} is a bad_type issue of the case and {"id": [..]} its error bad_id.
    cases = [dict(c, amount={"x": 1}) for c in example_cases[:4]]
    same(engine, cases, strings(cases))
    cases = [dict(c, id=[1]) for c in example_cases[:2]]
    same(engine, cases, strings(cases))
    rows = engine.evaluate(strings(cases), NOW).to_pylist()
    assert [r["error"] for r in rows] == ["bad_id", "bad_id"]


def test_the_capsule_interface(engine, cases):
    table = typed(cases)

    class Stream:
        """Only the PyCapsule stream interface, as DuckDB and polars offer it."""

        def __init__(self, t):
            self.t = t

        def __arrow_c_stream__(self, requested_schema=None):
            return self.t.__arrow_c_stream__(requested_schema)

    same(engine, cases, Stream(table))
    same(engine, cases, table.to_batches()[0])
    same(engine, cases, lambda: pa.RecordBatchReader.from_batches(table.schema, table.to_batches()))
    # A stream reads once: pyarrow gives a used-up reader's stream with no batches left.
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    assert engine.evaluate(reader, NOW).num_rows == len(cases)
    assert engine.evaluate(reader, NOW).num_rows == 0


def test_pandas_and_polars(engine, example_cases, cases):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    same(engine, example_cases, pd.DataFrame(example_cases))
    same(engine, cases, pl.from_arrow(typed(cases)))


def test_batches_longer_than_an_output_batch(engine, cases):
    # 2,400 copies of 14 cases: 33,600 rows, more than the 32,768 of one output batch,
    # in chunks of 10,000 as a stream gives them.
    cases = [dict(c, id=f"{c['id']}-{i}") for i in range(2400) for c in cases]
    table = typed(cases)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=10_000))
    got = engine.evaluate(chunked, NOW)
    assert got.num_rows == len(cases)
    assert got.column("id").to_pylist() == [c["id"] for c in cases]
    assert got.equals(engine.evaluate(cases, NOW))
    report = engine.report(chunked, NOW).to_dict()
    assert report == engine.report(cases, NOW).to_dict() and report["cases"] == 33_600


def test_empty_input_gives_an_empty_table_of_the_same_columns(engine, cases):
    full = engine.evaluate(cases, NOW)
    for empty in ([], typed(cases).slice(0, 0)):
        got = engine.evaluate(empty, NOW)
        assert got.num_rows == 0 and got.schema == full.schema


def test_a_batch_that_cannot_be_read(engine, example_cases):
    table = strings(example_cases)
    # A list column must be a list; a list given twice (as `paused` and `paused_from`).
    bad = table.append_column("paused_from", pa.array([1] * len(example_cases)))
    with pytest.raises(docket.ArgumentError) as e:
        engine.evaluate(bad, NOW)
    assert (e.value.code, e.value.path) == ("invalid_argument", "columns.paused_from")
    bad = table.append_column("paused_from", pa.array([[1]] * len(example_cases)))
    with pytest.raises(docket.ArgumentError) as e:
        engine.evaluate(bad, NOW)
    assert e.value.path == "columns.paused_from"
