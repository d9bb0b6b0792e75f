#!/usr/bin/env python3
"""Writes deploy/kubernetes/base/alerts/prometheusrule.yaml from alerts.yaml beside this
script: the same groups, as the Prometheus Operator's PrometheusRule. Run it after changing the
alerts: `python3 deploy/observability/prometheusrule.py > deploy/kubernetes/base/alerts/prometheusrule.yaml`
(tests/deploy-check fails while the two differ)."""
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent


class Literal(str):
    pass


def literal(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


yaml.add_representer(Literal, literal, Dumper=yaml.SafeDumper)


def literals(value):
    if isinstance(value, dict):
        return {k: literals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [literals(v) for v in value]
    if isinstance(value, str):
        return Literal(value)
    return value


rules = yaml.safe_load((HERE / "alerts.yaml").read_text())
resource = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PrometheusRule",
    "metadata": {"name": "piazza"},
    "spec": literals(rules),
}
sys.stdout.write("# Written by deploy/observability/prometheusrule.py from deploy/observability/alerts.yaml: change those.\n")
sys.stdout.write(yaml.safe_dump(resource, sort_keys=False, width=120, allow_unicode=True))
