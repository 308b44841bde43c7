"""deploy/: the Prometheus alert rules and the Grafana dashboard name only metrics Bastion serves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from tests.http.conftest import Api

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
OPERATIONS_GUIDE = DEPLOY.parent / "docs" / "operations.md"
METRIC = re.compile(r"\bbastion_[a-z_]+\b")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


async def _served_families(api: Api) -> list[Metric]:
    return list(text_string_to_metric_families((await api.client.get("/metrics")).text))


async def _served_names(api: Api) -> set[str]:
    return {
        family.name + suffix for family in await _served_families(api) for suffix in SUFFIXES.get(family.type, ("",))
    }


async def _served_metrics(api: Api) -> set[str]:
    """Each metric served as the operations guide names it: a counter with its `_total`."""
    return {family.name + ("_total" if family.type == "counter" else "") for family in await _served_families(api)}


def _alert_expressions() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def _dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "bastion-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


async def test_every_metric_in_the_alert_rules_and_the_dashboard_is_served(api: Api) -> None:
    served = await _served_names(api)
    named = {name for expr in _alert_expressions() + _dashboard_expressions() for name in METRIC.findall(expr)}

    assert named
    assert named <= served, named - served


def test_the_alerts_cover_the_security_signals() -> None:
    expressions = "\n".join(_alert_expressions())

    for signal in ('result="reuse_detected"', "bastion_lockouts_total", 'result!="success"', "bastion_outbox_pending"):
        assert signal in expressions


async def test_every_metric_served_has_a_dashboard_panel_and_a_row_in_the_operations_guide(api: Api) -> None:
    served = await _served_metrics(api)
    panels = "\n".join(_dashboard_expressions())
    guide = OPERATIONS_GUIDE.read_text()

    assert len(served) >= 12
    assert {name for name in served if name not in panels} == set()
    assert {name for name in served if f"| `{name}` |" not in guide} == set()
