"""The benchmark suite still works: each part, run with tiny counts, produces well-formed
rows. Figures are never judged here (no timed tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.subprocess  # runs `python -m bench`


def bench(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Summary" in done.stdout
    results: dict[str, Any] = json.loads(out.read_text())
    assert results["meta"]["python"] and isinstance(results["summary"], list)
    return results


def number(value: Any) -> bool:
    return isinstance(value, int | float) and value == value and value >= 0


def assert_counted(rows: dict[str, Any], calls: str, others: tuple[str, ...]) -> None:
    """Each operation answered 2xx cold and warm, its `calls` total their breakdown
    (`<calls>_ops`), and its other counts are numbers."""
    for row in rows.values():
        for side in ("cold", "warm"):
            counted = row[side]
            assert 200 <= counted["status"] < 300
            assert counted[calls] == sum(counted[f"{calls}_ops"].values())
            assert all(number(counted[k]) for k in others)


def test_size_zips_the_layer_and_every_function(tmp_path):
    rows = bench(tmp_path, "--parts", "size")["size"]["rows"]
    assert [r["artifact"] for r in rows] == [
        "layer", "billing", "portfolio", "tokenization", "cases", "customer", "authorizer",
    ]  # fmt: skip
    for row in rows:
        assert row["files"] > 0 and number(row["zipped_mb"]) and number(row["unzipped_mb"])


def test_cold_starts_and_memory_are_measured_in_fresh_interpreters(tmp_path):
    results = bench(
        tmp_path,
        "--parts", "cold,memory", "--functions", "cases,authorizer", "--repeats", "1",
        "--memory-requests", "3", "--no-compare",
    )  # fmt: skip
    cold = {r["variant"]: r for r in results["cold"]}
    assert set(cold) == {
        "floor: imports only json", "reference: usual Powertools", "reference, traced",
        "cases", "cases, traced", "authorizer",
    }  # fmt: skip
    for row in cold.values():
        assert row["error"] is None and row["runs"] == 1 and row["status"] == 200
        assert number(row["import_ms"]) and number(row["first_ms"]) and number(row["wall_ms"])
    assert number(cold["cases"]["vs_reference"])
    memory = {r["function"]: r for r in results["memory"]}
    assert set(memory) == {"cases", "authorizer"}
    for row in memory.values():
        assert row["error"] is None and row["errors"] == 0 and number(row["peak_rss_mb"])
        assert row["memory_mb"] > 0 and sum(row["statuses"].values()) == 3


def test_warm_cost_is_measured_per_route_beside_a_bare_route(tmp_path):
    rows = bench(
        tmp_path, "--parts", "warm", "--functions", "customer,authorizer", "--warm-calls", "3",
        "--warm-seconds", "0.01",
    )["warm"]  # fmt: skip
    reads = [r for r in rows if r["kind"] == "read"]
    changes = [r for r in rows if r["kind"] == "change"]
    assert len(reads) == 3 and len(changes) == 6
    assert [r["kind"] for r in rows if r["group"] == "authorizer"] == ["authorizer"]
    for row in rows:
        assert row["ok"], row
        assert number(row["us"]) and row["calls"] > 0
    assert all(number(r["bare_us"]) and number(r["vs_bare"]) for r in reads)


def test_warm_asks_id_type_routes_in_guatemala_and_times_the_payment_writes(tmp_path):
    results = bench(
        tmp_path, "--parts", "warm", "--functions", "billing", "--warm-calls", "3",
        "--warm-seconds", "600",  # never the limit: 3 calls each, however busy
    )  # fmt: skip
    rows = results["warm"]
    by = {(r["country"], r["operation"]): r for r in rows}
    assert len(by) == len(rows)
    read = "GetPaperlessInvoiceInfoByContractIdAndIdTypeAndId"
    assert by[("co", read)]["kind"] == "refusal" and by[("co", read)]["status"] == [404]
    assert by[("gt", read)]["kind"] == "read" and by[("gt", read)]["status"] == [200]
    assert {op for cc, op in by if cc == "gt"} == {
        read,
        "CreatePaperlessInvoiceInfoByContractIdandAndIdTypeAndId",
        "UpdatePaperlessInvoiceInfoByContractIdAndIdTypeAndId",
        "DeletePaperlessInvoiceInfoByContractIdandSubscriptionNumber",
    }
    for name in ("CreateCheckOutForContractIdAndInvoiceId", "CreateInvoiceByContractId"):
        row = by[("co", name)]
        assert row["kind"] == "change" and row["undo"] == "reset" and row["status"] == [201]
        assert row["calls"] == 3 and number(row["us"])
    for row in rows:
        assert row["ok"], row
    figures = {r["figure"]: r for r in results["summary"]}
    assert "(co, 404)" in figures["warm cost per refusal ÷ bare Powertools (worst)"]["detail"]
    reads = figures["warm cost per read route ÷ bare Powertools (median / worst)"]
    assert "404" not in reads["detail"]  # reads that answer data only


def test_aws_calls_are_counted_cold_and_warm(tmp_path):
    wanted = [
        "GetCustomerByCustomerId",
        "GetPaperlessInvoiceInfoByContractIdAndIdTypeAndId",
        "AddPhonesContactInformationByContractId",
    ]
    calls = bench(tmp_path, "--parts", "calls", "--operations", ",".join(wanted))["calls"]
    rows = {r["operation"]: r for r in calls["rows"]}
    assert set(rows) == set(wanted)
    assert rows["GetPaperlessInvoiceInfoByContractIdAndIdTypeAndId"]["country"] == "gt"
    assert_counted(rows, "ddb", ("secrets", "gateway", "other"))
    assert rows["GetCustomerByCustomerId"]["single"] is True
    assert rows["AddPhonesContactInformationByContractId"]["single"] is None
    assert number(calls["summary"]["max_warm_ddb_single_read"])


def test_load_runs_over_http_against_the_local_runner(tmp_path):
    load = bench(tmp_path, "--parts", "load", "--load-requests", "20", "--load-clients", "2")[
        "load"
    ]
    assert load["requests"] == 20 and load["operations"] > 30
    assert number(load["throughput_rps"]) and number(load["p50_ms"]) and number(load["p99_ms"])
    assert isinstance(load["errors"], int) and isinstance(load["excluded"], list)


def test_tmf_backend_calls_latency_cpu_and_cold_start_are_measured(tmp_path):
    wanted = ["GetCustomerByCustomerId", "AddPhonesContactInformationByContractId"]
    results = bench(
        tmp_path, "--parts", "tmf", "--operations", ",".join(wanted), "--repeats", "1",
        "--no-traced", "--warm-calls", "3", "--warm-seconds", "0.01", "--tmf-repeats", "1",
    )  # fmt: skip
    tmf = results["tmf"]
    rows = {r["operation"]: r for r in tmf["rows"]}
    assert set(rows) == set(wanted)
    assert_counted(rows, "bss", ("tokens", "ddb", "secrets"))
    latency = rows["GetCustomerByCustomerId"]["latency"]
    assert number(latency["base_ms"]) and number(latency["delayed_ms"])
    assert isinstance(latency["round_trips"], int)
    assert rows["AddPhonesContactInformationByContractId"]["latency"] is None  # reads only
    cpu = {r["method"]: r for r in tmf["cpu"]}
    assert "customer" in cpu
    for row in cpu.values():
        assert row["faithful"] and number(row["tmf_us"]) and number(row["sandbox_us"])
    cold = {r["variant"]: r for r in tmf["cold"]}
    assert set(cold) == {"reference: usual Powertools", "billing", "billing, tmf"}
    for row in cold.values():
        assert row["error"] is None and row["runs"] == 1 and row["status"] == 200
    assert isinstance(tmf["summary"]["max_round_trips"], int)
    figures = {r["figure"] for r in results["summary"]}
    assert "tmf: max round trips of BSS latency per warm read" in figures
