"""Type stubs of the ``docket`` package (the public API of ``__init__.py`` and the
compiled ``docket._docket``)."""

from typing import Any, Literal, Mapping, Optional, Sequence, Union
import datetime

import pyarrow

__all__ = ["Engine", "Report", "DocketError", "PolicyError", "ArgumentError", "FORMAT_VERSION"]

#: The policy format version this build reads (the policy's ``"docket"``).
FORMAT_VERSION: int

#: `now`: an RFC 3339 string, a datetime (naive = UTC), or seconds since the epoch.
Now = Union[str, datetime.datetime, int, float, None]
#: Cases: records (dicts, or JSON text), a pyarrow Table or RecordBatch, a pandas
#: DataFrame, or any object with ``__arrow_c_stream__`` / ``__arrow_c_array__``.
Cases = Any
#: A policy: its JSON text, or the parsed document.
Policy = Union[str, Mapping[str, Any]]

ErrorCode = Literal["invalid_json", "invalid_policy", "limit_exceeded", "invalid_argument", "internal"]

class DocketError(Exception):
    """Base class of every error Docket raises."""

    #: The stable name of the failure (docs/errors.md).
    code: ErrorCode
    #: Where the fault is: a JSON pointer into the policy, the argument at fault
    #: (``now``, ``actor.id``, ``columns.amount``), or ``""``.
    path: str

class PolicyError(DocketError):
    """The policy does not compile."""

    code: Literal["invalid_json", "invalid_policy", "limit_exceeded"]
    #: Every problem, each ``{"code", "path", "message"}``.
    errors: list[dict[str, str]]
    warnings: list[dict[str, str]]

class ArgumentError(DocketError):
    """An argument has the wrong shape or is over a limit."""

    code: Literal["invalid_argument", "limit_exceeded"]

class Report:
    """A backlog report of one policy at one ``now``."""

    #: Cases added.
    @property
    def cases(self) -> int: ...
    def merge(self, other: "Report") -> None:
        """Adds ``other`` (same policy, same ``now``) into this report."""
    def to_dict(self) -> dict[str, Any]:
        """The report as ``docket report`` prints it (JSON), as a dict."""
    def to_json(self) -> str:
        """The report as JSON text."""

class Engine:
    """A compiled policy."""

    def __init__(
        self, policy: Policy, *, limits: Optional[Mapping[str, int]] = None, seed: Optional[str] = None
    ) -> None: ...
    def evaluate(self, cases: Cases, now: Now = None) -> pyarrow.Table:
        """One outcome row a case, in input order."""
    def outcomes(self, cases: Cases, now: Now = None) -> list[dict[str, Any]]:
        """Every outcome as the JSON record ``docket eval`` prints."""
    def report(
        self,
        cases: Cases,
        now: Now = None,
        *,
        by: Optional[Sequence[str]] = None,
        flow: Optional[Mapping[str, Any]] = None,
    ) -> Report:
        """The backlog report of the cases (split ``by`` fields; with ``flow``)."""
    def empty_report(self, now: Now = None) -> Report:
        """A report with no cases, to merge others into."""
    def authorize(
        self, case: Union[Mapping[str, Any], str], actor: Mapping[str, Any], action: str, now: Now = None
    ) -> dict[str, Any]:
        """The decision record of ``actor`` doing ``action`` on ``case``."""
    def check(self) -> list[dict[str, str]]:
        """The compile warnings."""
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def queues(self) -> list[str]: ...
    @property
    def priorities(self) -> list[str]: ...
    @property
    def bands(self) -> list[str]: ...
    @property
    def metrics(self) -> list[str]: ...
    @property
    def dependencies(self) -> list[str]: ...
    @property
    def roles(self) -> list[str]: ...
