"""Docket on Apache Spark: evaluate and report histories that outgrow one machine.

:func:`evaluate` maps every partition of a DataFrame of cases to its outcomes through
``mapInArrow``: each Python worker compiles the policy once and reuses the engine for
every batch and task it runs, and reads Spark's Arrow batches where they lie.
:func:`report` evaluates each partition into a report and merges the partitions'
reports on the driver: reports merge exactly, so the result is the report one machine
gives for the whole DataFrame.

The DataFrame's columns are case keys, as in :meth:`docket.Engine.evaluate`: a
DataFrame read with ``spark.read.json`` from the cases' NDJSON works as it is
(timestamps as RFC 3339 strings, money as decimal strings, ``paused``, ``approvals`` and
``evidence`` as arrays); typed columns (``TimestampType``, ``DecimalType``) work too.
``now`` is fixed once, on the driver, so every partition is evaluated at the same
instant.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping, Union

import pyarrow as pa

import docket
from docket._docket import _instant

__all__ = ["evaluate", "report", "outcome_schema"]

# Engines compiled in this process, by policy text: a Python worker compiles each
# policy once and keeps it for every batch and task it runs.
_ENGINES: dict = {}


def _engine(policy_text: str) -> docket.Engine:
    e = _ENGINES.get(policy_text)
    if e is None:
        e = docket.Engine(policy_text)
        _ENGINES[policy_text] = e
    return e


def _policy_text(policy: Union[str, Mapping[str, Any]]) -> str:
    """The policy as the JSON text each worker compiles."""
    if isinstance(policy, str):
        return policy
    if isinstance(policy, Mapping):
        try:
            return json.dumps(policy, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise _argument("policy", f"`policy` cannot be written as JSON: {e}") from e
    raise _argument("policy", "`policy` must be JSON text (str) or a dict")


def _argument(path: str, message: str) -> docket.ArgumentError:
    e = docket.ArgumentError(message)
    e.code, e.path = "invalid_argument", path
    return e


def _now(now: Any) -> int:
    """`now` as seconds since the epoch, read once on the driver."""
    return _instant(now)


def _arrow_schema(engine: docket.Engine) -> pa.Schema:
    """The outcome table's schema as Spark takes it: dictionary columns as strings,
    timestamps in microseconds."""
    fields = []
    for f in engine.evaluate([], now=0).schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = pa.string()
        elif pa.types.is_timestamp(t):
            t = pa.timestamp("us", tz="UTC")
        fields.append(pa.field(f.name, t, nullable=True))
    return pa.schema(fields)


def outcome_schema(policy: Union[str, Mapping[str, Any]]):
    """The Spark schema (``StructType``) of :func:`evaluate`'s DataFrame for a policy."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_arrow_schema(_engine(_policy_text(policy))))


def _for_spark(table: pa.Table, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    # Casting keeps every value: a dictionary's strings, a second as a microsecond count.
    for batch in table.cast(schema).to_batches():
        yield batch


def evaluate(df, policy: Union[str, Mapping[str, Any]], now: Any = None):
    """The outcomes of every case of ``df`` at ``now``, as a Spark DataFrame: one row a
    case, the columns of :meth:`docket.Engine.evaluate` (categorical columns as strings,
    timestamps as ``TimestampType``). Rows keep the order of their partitions.

    ``policy`` is the policy as JSON text or a dict; ``now`` an RFC 3339 string, a
    ``datetime`` or seconds since the epoch, fixed on the driver (the current time when
    omitted). A policy that does not compile raises :class:`docket.PolicyError` here,
    before any job runs; a bad case is only its own row."""
    text = _policy_text(policy)
    engine = _engine(text)
    instant = _now(now)
    schema = _arrow_schema(engine)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        e = _engine(text)
        for b in batches:
            yield from _for_spark(e.evaluate(b, instant), schema)

    from pyspark.sql.pandas.types import from_arrow_schema

    return df.mapInArrow(run, from_arrow_schema(schema))


def report(df, policy: Union[str, Mapping[str, Any]], now: Any = None) -> docket.Report:
    """The backlog report of every case of ``df`` at ``now``: each partition is
    evaluated into a report on its worker, and the partitions' reports are merged here,
    into exactly the report of the whole (``docket report`` on the same cases)."""
    text = _policy_text(policy)
    engine = _engine(text)
    instant = _now(now)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        e = _engine(text)
        part = e.empty_report(instant)
        for b in batches:
            part.merge(e.report(b, instant))
        yield pa.RecordBatch.from_pydict({"state": [part._state()]})

    whole = engine.empty_report(instant)
    for row in df.mapInArrow(run, "state string").collect():
        whole.merge(engine._e._report(state=row["state"]))
    return whole
