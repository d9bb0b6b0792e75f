"""Checks what kubernetes-validate and checkov cannot: that the Kubernetes manifests say what the
rest of deploy/ says. Run by tests/deploy-check with the rendered overlays.

Usage: python3 deploy_check.py RENDERED.yaml...

- deploy/kubernetes/base/rabbitmq/topology.yaml is what deploy/rabbitmq/kubernetes.py makes of
  deploy/rabbitmq/definitions.json (which the Rust tests check against the code's topology);
- each overlay's Ingress sends every path of deploy/gateway.conf to the same service, and
  /metrics and /readyz nowhere public; each upstream gateway.conf names is declared in
  deploy/gateway-upstreams.conf; the Ingress `piazza-openapi` rewrites /api/openapi.json to the
  service and path the gateway does;
- the PrometheusRule is deploy/observability/alerts.yaml, as deploy/observability/prometheusrule.py
  writes it;
- every Secret a pod reads is one the README tells the operator to make, or CloudNativePG makes,
  and every PIAZZA_<KEY>_FILE a container is given names a file one of its Secrets puts there.
"""

import pathlib
import re
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
INTERNAL = {"/metrics", "/readyz"}
# Secrets the operator makes (README "Deploying on Kubernetes") or CloudNativePG makes.
SECRETS = {"piazza-app", "piazza-db-app"} | {
    f"piazza-amqp-{name}" for name in ("booking", "scheduler", "notifier", "monitoring", "operator")
}

errors = []


def gateway_routes():
    """(path, exact) -> service, from deploy/gateway.conf."""
    routes = {}
    pattern = re.compile(r"\s*location (= )?(\S+)\s+\{ proxy_pass http://(\w+); \}")
    for line in (ROOT / "deploy/gateway.conf").read_text().splitlines():
        match = pattern.match(line)
        if match:
            routes[(match.group(2), bool(match.group(1)))] = "piazza-" + match.group(3)
    return routes


def check_upstreams():
    declared = set(re.findall(r"^upstream (\w+) \{", (ROOT / "deploy/gateway-upstreams.conf").read_text(), re.M))
    used = {service.removeprefix("piazza-") for service in gateway_routes().values()}
    if not used or used - declared:
        errors.append(f"deploy/gateway.conf passes to {sorted(used)}, deploy/gateway-upstreams.conf declares {sorted(declared)}")


def gateway_rewrites():
    """path -> (service, path it asks for), for the gateway's exact locations that change the path."""
    pattern = re.compile(r"\s*location = (\S+)\s+\{ proxy_pass http://(\w+)(/\S+); \}")
    lines = (ROOT / "deploy/gateway.conf").read_text().splitlines()
    return {m.group(1): ("piazza-" + m.group(2), m.group(3)) for m in map(pattern.match, lines) if m}


def check_rules():
    generated = subprocess.run(
        [sys.executable, str(ROOT / "deploy/observability/prometheusrule.py")],
        check=True, capture_output=True, text=True,
    ).stdout
    committed = (ROOT / "deploy/kubernetes/base/alerts/prometheusrule.yaml").read_text()
    if generated != committed:
        errors.append(
            "deploy/kubernetes/base/alerts/prometheusrule.yaml is not what "
            "deploy/observability/prometheusrule.py makes of alerts.yaml; run it again"
        )


def gateway_refused():
    """The paths deploy/gateway.conf answers 404 for."""
    pattern = re.compile(r"\s*location = (\S+)\s+\{ return 404; \}")
    lines = (ROOT / "deploy/gateway.conf").read_text().splitlines()
    return {m.group(1) for m in map(pattern.match, lines) if m}


def check_topology():
    generated = subprocess.run(
        [sys.executable, str(ROOT / "deploy/rabbitmq/kubernetes.py")],
        check=True, capture_output=True, text=True,
    ).stdout
    committed = (ROOT / "deploy/kubernetes/base/rabbitmq/topology.yaml").read_text()
    if generated != committed:
        errors.append(
            "deploy/kubernetes/base/rabbitmq/topology.yaml is not what deploy/rabbitmq/kubernetes.py "
            "makes of definitions.json; run it again (see its first lines)"
        )


def check_rendered(path):
    documents = [d for d in yaml.safe_load_all(pathlib.Path(path).read_text()) if d]
    ingresses = [d for d in documents if d["kind"] == "Ingress" and d["metadata"]["name"] != "piazza-openapi"]
    if len(ingresses) != 1:
        errors.append(f"{path}: expected one Ingress besides piazza-openapi, found {len(ingresses)}")
        return
    check_rewrites(path, [d for d in documents if d["kind"] == "Ingress" and d["metadata"]["name"] == "piazza-openapi"])
    rules = [d for d in documents if d["kind"] == "PrometheusRule"]
    alerts = yaml.safe_load((ROOT / "deploy/observability/alerts.yaml").read_text())
    if len(rules) != 1 or rules[0]["spec"] != alerts:
        errors.append(f"{path}: expected one PrometheusRule holding deploy/observability/alerts.yaml")
    routes = {}
    for rule in ingresses[0]["spec"]["rules"]:
        for p in rule["http"]["paths"]:
            routes[(p["path"], p["pathType"] == "Exact")] = p["backend"]["service"]["name"]
    expected = gateway_routes()
    for key, service in expected.items():
        if routes.get(key) != service:
            errors.append(f"{path}: the Ingress sends {key[0]} to {routes.get(key)}, the gateway to {service}")
    if gateway_refused() != INTERNAL:
        errors.append(f"deploy/gateway.conf answers 404 for {sorted(gateway_refused())}, the Ingress keeps {sorted(INTERNAL)} inside")
    for key, service in routes.items():
        if key[0] in INTERNAL:
            if not key[1] or service != "piazza-internal-only":
                errors.append(f"{path}: {key[0]} must lead to piazza-internal-only (Exact)")
        elif key not in expected:
            errors.append(f"{path}: the Ingress routes {key[0]}, which deploy/gateway.conf does not")
    for d in documents:
        if d["kind"] not in ("Deployment", "Job"):
            continue
        pod = d["spec"]["template"]["spec"]
        files = {}  # volume name -> the files its Secrets put there
        for volume in pod.get("volumes", []):
            for source in volume.get("projected", {}).get("sources", []):
                name = source.get("secret", {}).get("name")
                if name and name not in SECRETS:
                    errors.append(f"{path}: {d['kind']} {d['metadata']['name']} reads Secret {name}, which nobody makes")
                for item in source.get("secret", {}).get("items", []):
                    files.setdefault(volume["name"], set()).add(item["path"])
        for container in pod["containers"]:
            mounted = {
                f"{m['mountPath']}/{f}"
                for m in container.get("volumeMounts", [])
                for f in files.get(m["name"], ())
            }
            for env in container.get("env", []):
                if env["name"].endswith("_FILE") and env.get("value") not in mounted:
                    errors.append(
                        f"{path}: {d['metadata']['name']} reads {env['name']}={env.get('value')}, "
                        "which no Secret it mounts puts there"
                    )


def check_rewrites(path, ingresses):
    rewrites = gateway_rewrites()
    found = {}
    for ingress in ingresses:
        target = ingress["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/rewrite-target")
        for rule in ingress["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                if p["pathType"] != "Exact":
                    errors.append(f"{path}: piazza-openapi routes {p['path']} by prefix; it rewrites one exact path")
                found[p["path"]] = (p["backend"]["service"]["name"], target)
    if found != rewrites:
        errors.append(f"{path}: the Ingress rewrites {found}, deploy/gateway.conf {rewrites}")


check_topology()
check_rules()
check_upstreams()
for rendered in sys.argv[1:]:
    check_rendered(rendered)
for error in errors:
    print(f"deploy check: {error}", file=sys.stderr)
sys.exit(1 if errors else 0)
