"""GET /metrics of a real `bastion serve --workers 2`: whichever worker answers, the sum of both."""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics.prometheus import FLUSH_SECONDS
from tests.e2e.servers import only, server, started_workers

pytestmark = pytest.mark.slow

BATCH = 40
JWKS = {"method": "GET", "route": "/.well-known/jwks.json", "status": "200"}


def _jwks_requests(base: str) -> float:
    # A new connection per scrape, so that successive scrapes reach either worker.
    return _jwks_count(httpx.get(f"{base}/metrics", headers={"Connection": "close"}, timeout=5).text)


def _jwks(base: str) -> int:
    return httpx.get(f"{base}/.well-known/jwks.json", headers={"Connection": "close"}, timeout=5).status_code


def _per_process(shared: Path, scratch: Path) -> dict[str, float]:
    return {path.name: _counted_by_one_process(path, scratch) for path in shared.glob("counter_*.db")}


def _counted_by_one_process(counter_file: Path, scratch: Path) -> float:
    alone = scratch / counter_file.stem
    alone.mkdir(parents=True)
    shutil.copy(counter_file, alone)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(alone))
    return _jwks_count(generate_latest(registry).decode())


def _jwks_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "bastion_http_requests_total" and sample.labels == JWKS:
                return sample.value
    return 0.0


def test_every_scrape_sums_the_requests_of_both_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"left over from an earlier run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))

    with server(tmp_path, workers=2) as base, ThreadPoolExecutor(8) as pool:
        workers = first, second = started_workers(tmp_path, base, 2)
        for worker in workers:  # a batch for each worker
            with only(worker, workers):
                statuses = list(pool.map(lambda _: _jwks(base), range(BATCH)))
            assert statuses == [200] * BATCH, worker
        time.sleep(FLUSH_SECONDS + 0.5)  # each worker adds its tallies to its file once a second
        per_process = _per_process(shared, tmp_path / "scratch")
        scrapes = [_jwks_requests(base) for _ in range(10)]

    # Each worker counted its own batch in a file of its own, and every scrape, whichever worker
    # answered it, gave the sum; the stale file of an earlier run is gone.
    assert per_process == {f"counter_{first}.db": BATCH, f"counter_{second}.db": BATCH}
    assert scrapes == [2 * BATCH] * 10


def test_a_single_worker_serves_its_metrics_from_a_directory_removed_at_exit(tmp_path: Path) -> None:
    before = set(Path(tempfile.gettempdir()).glob("bastion-metrics-*"))
    with server(tmp_path) as base:
        httpx.get(f"{base}/.well-known/jwks.json", timeout=5)
        assert _jwks_requests(base) == 1
        assert set(Path(tempfile.gettempdir()).glob("bastion-metrics-*")) - before

    assert set(Path(tempfile.gettempdir()).glob("bastion-metrics-*")) <= before
