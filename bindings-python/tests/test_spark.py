"""docket.spark in Spark local mode (local[2]) on 100,000 generated cases (the benchmark
generator, `gen_cases`): every outcome row and the merged report must equal what the
command line gives for the same cases (`docket eval`, projected onto the table's
columns as documented; `docket report --format json`), the CLI being the oracle."""

from __future__ import annotations

import json
import subprocess

import pytest
from pyspark.sql import functions as F

import docket
import docket.spark
from conftest import NOW, POLICY_PATH, project, release_binary

N = 100_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The cases, and the command line's outcomes (by id) and report for them."""
    path = tmp_path_factory.mktemp("spark") / "cases.ndjson"
    with open(path, "w") as f:
        subprocess.run([release_binary("examples/gen_cases"), str(N)], stdout=f, check=True)
    cli = release_binary("docket")
    args = ["--policy", POLICY_PATH, "--cases", str(path), "--now", NOW]
    out = subprocess.run([cli, "eval", *args], capture_output=True, check=True).stdout
    outcomes = {}
    for line in out.splitlines():
        o = json.loads(line)
        outcomes[o["id"]] = o
    report = json.loads(subprocess.run([cli, "report", *args, "--format", "json"], capture_output=True, check=True).stdout)
    assert len(outcomes) == N, "generated ids are unique"
    return str(path), outcomes, report


@pytest.fixture(scope="module")
def policy():
    with open(POLICY_PATH) as f:
        return f.read()


def compare(df, policy, outcomes):
    """Every row of docket.spark.evaluate equals the CLI's outcome of its case."""
    metrics = docket.Engine(policy).metrics
    table = docket.spark.evaluate(df, policy, NOW).toArrow()
    rows = table.to_pylist()
    assert len(rows) == N
    seen = set()
    for row in rows:
        want = project(outcomes[row["id"]], metrics)
        assert row == want, row["id"]
        seen.add(row["id"])
    assert seen == set(outcomes)


def test_spark_evaluate_equals_docket_eval(spark, generated, policy):
    path, outcomes, _ = generated
    # Seven partitions, rows shuffled among them: outcomes do not depend on the split.
    df = spark.read.json(path).repartition(7)
    compare(df, policy, outcomes)


def test_typed_spark_columns_give_the_same_outcomes(spark, generated, policy):
    # The same cases with Spark's own types: instants as TimestampType, money as a
    # DecimalType (the currency column says which currency, as in the records).
    path, outcomes, _ = generated
    df = spark.read.json(path)
    for c in ("opened_at", "response_at", "resolution_at"):
        df = df.withColumn(c, F.to_timestamp(c))
    df = df.withColumn("amount", F.col("amount").cast("decimal(12,2)"))
    compare(df, policy, outcomes)


def test_spark_report_equals_docket_report(spark, generated, policy):
    path, _, report = generated
    df = spark.read.json(path).repartition(7)
    merged = docket.spark.report(df, policy, NOW)
    assert merged.to_dict() == report
    assert merged.cases == N


def test_a_policy_that_does_not_compile_fails_on_the_driver(spark, generated):
    path, _, _ = generated
    with pytest.raises(docket.PolicyError) as e:
        docket.spark.evaluate(spark.read.json(path), '{"docket": 1}', NOW)
    assert e.value.code == "invalid_policy"
    with pytest.raises(docket.ArgumentError) as e:
        docket.spark.evaluate(spark.read.json(path), {"docket": 1, "fields": {1, 2}}, NOW)
    assert (e.value.code, e.value.path) == ("invalid_argument", "policy")


def test_one_engine_per_python_worker_reused_across_batches(spark, policy):
    # Batches of 100 rows over six partitions: many batches and tasks a worker; each
    # worker process must compile the policy once (docket.spark's engine cache, the one
    # `evaluate` and `report` use) and hand the same engine to every batch.
    import pyarrow as pa

    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
    try:
        df = spark.range(6000).repartition(6)

        def run(batches):
            import os

            import docket.spark as ds

            for _ in batches:
                e = ds._engine(policy)
                yield pa.RecordBatch.from_pydict({"pid": [os.getpid()], "engine": [id(e)]})

        rows = df.mapInArrow(run, "pid long, engine long").collect()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    engines: dict = {}
    for r in rows:
        engines.setdefault(r["pid"], set()).add(r["engine"])
    assert len(rows) >= 60
    assert all(len(ids) == 1 for ids in engines.values()), engines
