"""Shared helpers of the Python suite: the repository's paths, the subset matching of
tests/conformance/README.md, and the projection of a full outcome (the JSON record
``docket eval`` prints) onto the columns of ``Engine.evaluate``'s table."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLICY_PATH = os.path.join(ROOT, "examples", "order-ops.policy.json")
CASES_PATH = os.path.join(ROOT, "examples", "cases.ndjson")
NOW = "2026-11-23T10:00:00Z"


def read_ndjson(path: str) -> list:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def policy_text() -> str:
    with open(POLICY_PATH) as f:
        return f.read()


@pytest.fixture(scope="session")
def example_cases() -> list:
    return read_ndjson(CASES_PATH)


def release_binary(name: str) -> str:
    """A binary of the workspace's release build (built when missing)."""
    path = os.path.join(ROOT, "target", "release", name)
    if not os.path.exists(path):
        pkg = ["-p", "docket-cli"] if name == "docket" else ["-p", "docket-benches", "--example", os.path.basename(name)]
        subprocess.run(["cargo", "build", "--release", "--quiet", *pkg], cwd=ROOT, check=True)
    return path


def mismatch(expected, actual, path: str = ""):
    """Subset matching as tests/conformance/README.md defines it; a mismatch or None."""
    if expected is None:
        return None if actual is None else f"{path}: expected null, got {actual!r}"
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = mismatch(e, a, f"{path}/{i}")
            if m:
                return m
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"
        for k, v in expected.items():
            m = mismatch(v, actual.get(k), f"{path}/{k}")
            if m:
                return m
        return None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return None if expected is actual else f"{path}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, (int, float)):
        ok = isinstance(actual, (int, float)) and actual == expected
        return None if ok else f"{path}: expected {expected!r}, got {actual!r}"
    return None if expected == actual else f"{path}: expected {expected!r}, got {actual!r}"


def instant(text):
    """An RFC 3339 UTC text as the aware datetime pyarrow gives for timestamp[s, UTC]."""
    if text is None:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def project(outcome: dict, metrics: list) -> dict:
    """The row ``Engine.evaluate`` gives for a case, derived from its full outcome (the
    table's columns are documented as these parts of the outcome)."""
    usable = "error" not in outcome and not outcome.get("not_yet_open", False)
    sla = outcome.get("sla") or {}
    row = {
        "id": outcome.get("id"),
        "queue": outcome.get("queue") if usable else None,
        "owner": outcome.get("owner") if usable else None,
        "priority": outcome.get("priority") if usable else None,
    }
    for m in metrics:
        mo = sla.get(m) if usable else None
        row[f"{m}_state"] = mo["state"] if mo else None
        row[f"{m}_due"] = instant(mo.get("due")) if mo else None
        row[f"{m}_elapsed_s"] = mo["elapsed_s"] if mo else None
        row[f"{m}_remaining_s"] = mo["remaining_s"] if mo else None
    row["band"] = outcome.get("band") if usable else None
    row["next_change_at"] = instant(outcome.get("next_change_at")) if usable else None
    appr = outcome.get("approvals")
    row["approvals_remaining"] = list(appr["remaining"]) if usable and appr is not None else None
    row["issues"] = (
        [
            {"code": i["code"], "field": i.get("field"), "detail": i["detail"], "reason": i.get("reason")}
            for i in outcome.get("issues", [])
        ]
        if usable
        else None
    )
    row["error"] = outcome["error"]["code"] if "error" in outcome else None
    row["not_yet_open"] = bool(outcome.get("not_yet_open", False))
    return row


@pytest.fixture(scope="session")
def spark():
    """One Spark session in local mode (two cores) for the whole run."""
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("docket-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
