"""Times the Python package against the native paths, in one run, on the same cases.

    python bindings-python/bench.py [--cases N] [--passes P] [--spark]

Generates N cases (10,000 by default) with the benchmark generator
(``target/release/examples/gen_cases``, seed 42: the workload of BENCHMARKS.md) under the
example policy at 2026-11-23T10:00:00Z, starts the native harness
(``target/release/examples/native_paths --serve``) on the same cases, and then runs P
rounds (30 by default), each of four passes one right after the other:

1. native: ``Engine::columns`` + ``Engine::evaluate_columns`` on typed columns;
2. ``Engine.evaluate`` on the same cases as a typed ``pyarrow.Table`` (the Arrow path:
   enums, roles and evidence items dictionary-encoded as pandas categoricals are, money
   ``decimal128(12, 2)``, timestamps ``timestamp[s, UTC]``, pauses and approvals as
   lists of structs), outcomes into a ``pyarrow.Table``;
3. native: ``Engine::decode_json`` + ``Engine::evaluate`` on the NDJSON lines;
4. ``Engine.evaluate`` on the same cases as a list of dicts (as ``json.loads`` gives
   them), outcomes into a ``pyarrow.Table``.

A ratio is taken within a round (2 over 1, 4 over 3), so load on the machine weighs on
both sides of it alike; the figures are the medians over the rounds, with the first and
third quartiles. With ``--instructions`` it also counts instructions a case under
callgrind (valgrind), which repeat exactly for the same build and input: each path
collected with one and with three calls (``--toggle-collect`` on the Python method,
the whole process for the native harness), the difference divided by 20,000 cases, so
setup and the first call's warming cancel out. With ``--spark`` it also times ``docket.spark.evaluate`` in local mode
(``local[2]``) on 100,000 cases, counted to the end of the job. Build first:
``cargo build --release -p docket-benches --example gen_cases --example native_paths``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow as pa

import docket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOW = "2026-11-23T10:00:00Z"


def instant(s):
    return None if s is None else dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def typed_table(cases: list) -> pa.Table:
    """The cases as typed Arrow columns, the way a data team holds them."""
    ts = pa.timestamp("s", tz="UTC")
    cat = pa.dictionary(pa.int32(), pa.string())
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("kind", cat),
            ("order_id", pa.string()),
            ("opened_at", ts),
            ("region", cat),
            ("channel", cat),
            ("customer_tier", cat),
            ("amount", pa.decimal128(12, 2)),
            ("currency", pa.string()),
            ("fraud_score", pa.float64()),
            ("vendor_failures_90d", pa.int64()),
            ("orders_affected", pa.int64()),
            ("split_shipment", pa.bool_()),
            ("response_at", ts),
            ("resolution_at", ts),
            ("paused", pa.list_(pa.struct([("from", ts), ("to", ts)]))),
            ("requested_by", pa.string()),
            ("approvals", pa.list_(pa.struct([("role", cat), ("by", pa.string()), ("at", ts)]))),
            ("evidence", pa.list_(cat)),
        ]
    )
    rows = []
    for c in cases:
        r = dict(c)
        for k in ("opened_at", "response_at", "resolution_at"):
            r[k] = instant(c.get(k))
        if "amount" in c:
            r["amount"] = decimal.Decimal(c["amount"])
        if "paused" in c:
            r["paused"] = [{"from": instant(p["from"]), "to": instant(p.get("to"))} for p in c["paused"]]
        if "approvals" in c:
            r["approvals"] = [{"role": a["role"], "by": a["by"], "at": instant(a["at"])} for a in c["approvals"]]
        rows.append(r)
    return pa.Table.from_pylist(rows, schema=schema)


def timed(f, n: int) -> float:
    """One run of `f`, in nanoseconds a case."""
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1e9 / n


def quartiles(xs: list) -> list:
    q = statistics.quantiles(xs, n=4)
    return [round(q[0], 3), round(q[2], 3)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--passes", type=int, default=30)
    ap.add_argument("--spark", action="store_true")
    ap.add_argument("--instructions", action="store_true")
    ap.add_argument("--spark-cases", type=int, default=100_000)
    args = ap.parse_args()
    gen = os.path.join(ROOT, "target/release/examples/gen_cases")
    native_bin = os.path.join(ROOT, "target/release/examples/native_paths")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.ndjson")
        with open(path, "w") as f:
            subprocess.run([gen, str(args.cases)], stdout=f, check=True)
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        cases = [json.loads(l) for l in lines]
        n = len(cases)
        engine = docket.Engine(open(os.path.join(ROOT, "examples/order-ops.policy.json")).read())
        table = typed_table(cases)
        # The two inputs give the same outcomes (checked before timing).
        assert engine.evaluate(table, NOW).equals(engine.evaluate(cases, NOW)), "the two paths disagree"
        native = subprocess.Popen([native_bin, path, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

        def ask(path_name: str) -> float:
            native.stdin.write(path_name + "\n")
            native.stdin.flush()
            return float(native.stdout.readline())

        rows = {k: [] for k in ("native_columns", "arrow", "native_json", "dicts")}
        try:
            # One warm-up round, not counted.
            ask("columns"), engine.evaluate(table, NOW), ask("json"), engine.evaluate(cases, NOW)
            for _ in range(args.passes):
                rows["native_columns"].append(ask("columns"))
                rows["arrow"].append(timed(lambda: engine.evaluate(table, NOW), n))
                rows["native_json"].append(ask("json"))
                rows["dicts"].append(timed(lambda: engine.evaluate(cases, NOW), n))
        finally:
            native.stdin.close()
            native.wait()
        arrow_r = [a / b for a, b in zip(rows["arrow"], rows["native_columns"])]
        dicts_r = [a / b for a, b in zip(rows["dicts"], rows["native_json"])]
        med = lambda xs: round(statistics.median(xs), 1)  # noqa: E731
        summary = {
            "cases": n,
            "rounds": args.passes,
            "native_columns_ns": med(rows["native_columns"]),
            "arrow_ns": med(rows["arrow"]),
            "arrow_ratio": round(statistics.median(arrow_r), 3),
            "arrow_ratio_quartiles": quartiles(arrow_r),
            "native_json_ns": med(rows["native_json"]),
            "dicts_ns": med(rows["dicts"]),
            "dicts_ratio": round(statistics.median(dicts_r), 3),
            "dicts_ratio_quartiles": quartiles(dicts_r),
        }
        if args.instructions:
            summary["instructions"] = instructions(tmp, path, native_bin)
        if args.spark:
            summary["spark"] = spark_throughput(tmp, gen, args.spark_cases)
        print(json.dumps(summary))


PY_CALLS = """
import json, sys
sys.path.insert(0, {here!r})
from bench import typed_table, NOW
import docket
cases = [json.loads(l) for l in open({path!r})]
engine = docket.Engine(open({policy!r}).read())
data = typed_table(cases) if {mode!r} == "arrow" else cases
for _ in range({calls}):
    engine.evaluate(data, NOW)
"""


def callgrind(tmp: str, cmd: list, stdin: str = "", collect: str = "") -> int:
    out = os.path.join(tmp, "callgrind.out")
    flags = [f"--toggle-collect={collect}"] if collect else []
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *flags, *cmd],
                   input=stdin, text=True, capture_output=True, check=True)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError("no callgrind summary")


def instructions(tmp: str, path: str, native_bin: str) -> dict:
    """Instructions a case of each path (see the module's doc)."""
    n = sum(1 for line in open(path) if line.strip())
    here = os.path.dirname(os.path.abspath(__file__))
    policy = os.path.join(ROOT, "examples/order-ops.policy.json")

    def python(mode: str) -> float:
        counts = [
            callgrind(tmp, [sys.executable, "-c", PY_CALLS.format(here=here, path=path, policy=policy, mode=mode, calls=c)],
                      collect="*PyEngine*evaluate*")
            for c in (1, 3)
        ]
        return (counts[1] - counts[0]) / (2 * n)

    def native(name: str) -> float:
        counts = [callgrind(tmp, [native_bin, path, "--serve"], stdin=f"{name}\n" * c) for c in (1, 3)]
        return (counts[1] - counts[0]) / (2 * n)

    res = {"native_columns": native("columns"), "arrow": python("arrow"), "native_json": native("json"),
           "dicts": python("dicts")}
    res = {k: round(v) for k, v in res.items()}
    res["arrow_ratio"] = round(res["arrow"] / res["native_columns"], 3)
    res["dicts_ratio"] = round(res["dicts"] / res["native_json"], 3)
    return res


def spark_throughput(tmp: str, gen: str, count: int) -> dict:
    """`docket.spark.evaluate` on `count` generated cases in local[2], counted to the end."""
    from pyspark.sql import SparkSession

    import docket.spark

    path = os.path.join(tmp, "spark-cases.ndjson")
    with open(path, "w") as f:
        subprocess.run([gen, str(count)], stdout=f, check=True)
    spark = SparkSession.builder.master("local[2]").appName("docket-bench").getOrCreate()
    try:
        df = spark.read.json(path).cache()
        df.count()
        policy = open(os.path.join(ROOT, "examples/order-ops.policy.json")).read()
        docket.spark.evaluate(df, policy, NOW).count()  # warm: workers started, engines compiled
        times = []
        for _ in range(3):
            t = time.perf_counter()
            rows = docket.spark.evaluate(df, policy, NOW).count()
            times.append(time.perf_counter() - t)
        secs = min(times)
        return {"cases": rows, "seconds": round(secs, 3), "cases_per_s": round(rows / secs)}
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
