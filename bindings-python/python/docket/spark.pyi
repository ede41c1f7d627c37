"""Type stubs of ``docket.spark``."""

from typing import Any, Mapping, Union

from . import Now, Report

def evaluate(df: Any, policy: Union[str, Mapping[str, Any]], now: Now = None) -> Any:
    """The outcomes of every case of the Spark DataFrame ``df``, as a DataFrame."""

def report(df: Any, policy: Union[str, Mapping[str, Any]], now: Now = None) -> Report:
    """The report of every case of ``df``: partition reports merged on the driver."""

def outcome_schema(policy: Union[str, Mapping[str, Any]]) -> Any:
    """The Spark schema (``StructType``) of :func:`evaluate`'s DataFrame."""
