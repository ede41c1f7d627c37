"""Docket for Python: order-exception cases decided by a policy, on Arrow.

Hand a policy (JSON text or a dict) to :class:`Engine` once, then batches of cases: a
list of dicts, a ``pyarrow.Table`` or ``RecordBatch``, a pandas DataFrame, or anything
with the Arrow PyCapsule stream interface (``__arrow_c_stream__``: polars, DuckDB). Arrow
columns are read where they lie (the Arrow C Data Interface) and evaluated on the
engine's columnar path; the outcomes come back as a ``pyarrow.Table``.

Evaluation is a pure function of ``(policy, case, now)``, and reports of parts merge
into exactly the report of the whole, so a history can be replayed on any number of
machines: :mod:`docket.spark` does it on Apache Spark.

Every failure is a :class:`DocketError` with a stable ``code`` (``docs/errors.md``) and a
``path``; a bad case is only its own row (its ``error`` and ``issues``).
"""

from __future__ import annotations

import json as _json
import sys as _sys
from typing import Any, Mapping, Optional, Sequence, Union

import pyarrow as _pa

from ._docket import (
    FORMAT_VERSION,
    ArgumentError,
    DocketError,
    PolicyError,
    Report,
    _Engine,
)

__all__ = [
    "Engine",
    "Report",
    "DocketError",
    "PolicyError",
    "ArgumentError",
    "FORMAT_VERSION",
]


def _arrow(cases: Any) -> Any:
    """The cases as the compiled module reads them: a pandas DataFrame as a pyarrow
    Table (without its index); anything else as it is."""
    pd = _sys.modules.get("pandas")
    if pd is not None and isinstance(cases, pd.DataFrame):
        return _pa.Table.from_pandas(cases, preserve_index=False)
    return cases


class Engine:
    """A compiled policy. Compile once, evaluate many batches; safe to share between
    threads (evaluation of Arrow batches releases the GIL).

    ``policy`` is the policy as JSON text or as a dict. ``limits`` overrides the
    engine's limits by name (``{"max_case_bytes": 65536}``; the names and defaults of
    ``docket_core::Limits``, listed in the README). ``seed`` replaces the policy's
    ``qa.seed``, the key of the QA sample's draw (docs/reports.md, "The QA sample").

    Raises :class:`PolicyError` when the policy does not compile (``code``
    ``invalid_policy``, ``invalid_json`` or ``limit_exceeded``; ``errors`` lists every
    problem with its JSON pointer), :class:`ArgumentError` when ``policy`` is neither
    text nor a dict, holds a value JSON cannot (a set, bytes), or ``limits`` is
    malformed.
    """

    __slots__ = ("_e",)

    def __init__(
        self,
        policy: Union[str, Mapping[str, Any]],
        *,
        limits: Optional[Mapping[str, int]] = None,
        seed: Optional[str] = None,
    ) -> None:
        self._e = _Engine(policy, dict(limits) if limits is not None else None, seed)

    def evaluate(self, cases: Any, now: Any = None) -> _pa.Table:
        """Evaluates every case at ``now`` and returns one outcome row a case, in input
        order, as a ``pyarrow.Table``.

        ``cases``: a list of dicts (each a case record as in JSON; a ``str`` element is
        read as JSON text), a ``pyarrow.Table`` or ``RecordBatch``, a pandas DataFrame,
        or any object with ``__arrow_c_stream__`` (polars, DuckDB). ``now``: an RFC
        3339 string, a ``datetime`` (naive = UTC) or seconds since the epoch; the
        current time when omitted.

        Columns: ``id``; ``queue``, ``owner``, ``priority`` (dictionary-encoded
        strings); per metric ``<metric>_state``, ``<metric>_due`` (timestamp, UTC),
        ``<metric>_elapsed_s`` and ``<metric>_remaining_s`` (business seconds);
        ``band``; ``next_change_at``; ``approvals_remaining`` (``list<string>``);
        ``issues`` (``list<struct<code, field, detail, reason>>``); ``error`` (the
        code of an unusable case); ``not_yet_open``.

        A bad case never raises: it is its own row's ``error`` or ``issues``.
        """
        return _pa.RecordBatchReader.from_stream(self._e.evaluate(_arrow(cases), now)).read_all()

    def outcomes(self, cases: Any, now: Any = None) -> list:
        """Every outcome as a dict: the full JSON record ``docket eval`` prints (SLA
        clocks with escalation and waiting, approval steps, trace, policy), from the
        same inputs as :meth:`evaluate`."""
        return _json.loads(self._e.outcomes_json(_arrow(cases), now))

    def report(
        self,
        cases: Any,
        now: Any = None,
        *,
        by: Optional[Sequence[str]] = None,
        flow: Optional[Mapping[str, Any]] = None,
    ) -> Report:
        """The backlog report of the cases at ``now``: per queue, open cases by band,
        SLA attainment per metric, breaches and their causes, the oldest open case, and
        the backlog controls that fire (the JSON of ``docket report``). Reports of parts
        of a batch :meth:`Report.merge` into exactly the report of the whole.

        ``by``: enum or bool fields to split every queue by (``docket report --by``;
        the cases as records). ``flow``: ``{"since": instant, "bucket": "day" |
        "week"}``, the flow of cases over that period (``docket report --since
        --bucket``)."""
        return self._e.report(_arrow(cases), now, list(by) if by is not None else None, flow)

    def authorize(self, case: Union[Mapping[str, Any], str], actor: Mapping[str, Any], action: str, now: Any = None) -> dict:
        """May ``actor`` (``{"id": str, "roles": [str]}``) perform ``action`` on
        ``case`` at ``now`` (default: the current time)? The decision record: case,
        actor, action, now, allowed, every reason that applies in order, the step an
        allowed ``approve`` fills, the policy. Raises :class:`ArgumentError` for a
        malformed actor or action."""
        return _json.loads(self._e.authorize(case, actor, action, now))

    def check(self) -> list:
        """The compile warnings (``unreachable_rule``, ``unfillable_step``,
        ``unused_queue``, ``limit_without_value``), each ``{code, path, message}``."""
        return self._e.check()

    def empty_report(self, now: Any = None) -> Report:
        """A report with no cases at ``now``, to merge others into."""
        return self._e._report(now)

    @property
    def name(self) -> str:
        """The policy's ``name``."""
        return self._e.name

    @property
    def version(self) -> str:
        """The policy's ``version``."""
        return self._e.version

    @property
    def fingerprint(self) -> str:
        """``sha256:`` of the policy text, as outcomes and decisions cite it."""
        return self._e.fingerprint

    @property
    def queues(self) -> list:
        """Queue names, in policy order."""
        return self._e.queues

    @property
    def priorities(self) -> list:
        """Priorities routing can give, in policy order."""
        return self._e.priorities

    @property
    def bands(self) -> list:
        """Ageing bands, in policy order."""
        return self._e.bands

    @property
    def metrics(self) -> list:
        """SLA metrics, in policy order (each gives four outcome columns)."""
        return self._e.metrics

    @property
    def dependencies(self) -> list:
        """Declared dependencies a case may wait on."""
        return self._e.dependencies

    @property
    def roles(self) -> list:
        """Roles, in policy order."""
        return self._e.roles

    def __repr__(self) -> str:
        return f"<docket.Engine {self.name} {self.version}>"

