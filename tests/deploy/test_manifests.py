"""deploy/: the compose file and the Helm chart refer only to real Kuzet commands, options,
site files and config keys, and every site file they run passes Kuzet's own loader."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from .manifests import (
    command_problem,
    compose_vars,
    env_problem,
    option,
    pod_containers,
    render_chart,
    resolve_compose_env,
    site_problems,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "compose"
CHART = DEPLOY / "helm" / "kuzet"


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((COMPOSE / "compose.yaml").read_text()))


def _kuzet_services() -> dict[str, dict[str, Any]]:
    services = _compose()["services"]
    return {n: s for n, s in services.items() if "kuzet" in str(s.get("image", ""))}


# ------------------------------------------------------------------ the checks can fail
def test_checks_refuse_what_kuzet_does_not_know() -> None:
    assert env_problem("KUZET_STORE__URL") is None
    assert env_problem("KUZET_DEVICE_GATEWAY__MQTT") is None
    assert env_problem("KUZET_AUDIT_KEY") is None  # a key variable, not a field
    assert env_problem("KUZET_STORE__URI") is not None
    assert env_problem("KUZET_BUSS__SERVERS") is not None
    assert command_problem(["serve", "--site", "x.yaml", "--no-print-events"]) is None
    assert command_problem(["serve", "--config", "x.yaml"]) is not None
    assert command_problem(["worker", "--site", "x.yaml"]) is not None
    bad = "store: {url: 'sqlite:///${NOPE}'}\n"
    assert site_problems(bad, "bad.yaml", {}) == ["bad.yaml: ${NOPE} not in the environment"]
    assert site_problems("api: {port: 99999}\n", "bad.yaml", {})  # the loader's own refusal
    assert site_problems("store: {}\n", "ok.yaml", {"KUZET_STORE__NOPE": "1"})


# ------------------------------------------------------------------ compose
def test_compose_runs_every_service_the_issue_names() -> None:
    services = _compose()["services"]
    images = {n: str(s.get("image", "")) for n, s in services.items()}
    assert "pgvector" in images["db"] and "nats" in images["nats"]
    assert "-js" in services["nats"]["command"]  # JetStream on
    assert "seaweedfs" in images["s3"] and "mosquitto" in images["mqtt"]
    kuzet = _kuzet_services()
    roles = {n.split("-")[0] for n in kuzet}
    assert {"api", "worker", "gateway"} <= roles
    assert sum(n.startswith("api") for n in kuzet) >= 2  # replicas
    for name, svc in kuzet.items():
        for dep in svc.get("depends_on", {}):
            assert dep in services, (name, dep)


@pytest.mark.parametrize("name", sorted(_kuzet_services()))
def test_compose_kuzet_service_is_a_real_command_with_a_valid_site(name: str) -> None:
    svc = _kuzet_services()[name]
    argv = [str(a) for a in svc["command"]]
    assert command_problem(argv) is None, command_problem(argv)
    site_path = option(argv, "--site")
    assert site_path is not None
    mounts = dict((v.split(":")[1], v.split(":")[0]) for v in svc["volumes"] if v.startswith("./"))
    assert site_path in mounts, f"{name}: {site_path} is not mounted"
    local = COMPOSE / mounts[site_path]
    env = resolve_compose_env(svc.get("environment", {}))
    problems = [p for k in env if (p := env_problem(k))]
    assert not problems, problems
    assert site_problems(local.read_text(), str(local), env) == []


def test_compose_site_files_point_at_the_compose_services() -> None:
    services = set(_compose()["services"])
    for f in sorted(COMPOSE.glob("site.*.yaml")):
        site = yaml.safe_load(f.read_text())
        hosts = [re.sub(r"^.*@|^\w+://", "", s).split(":")[0] for s in site["bus"]["servers"]]
        hosts.append(site["store"]["url"].split("@")[1].split(":")[0])
        for vol in [*site.get("record", {}).get("volumes", {}).values(), site["blobs"]]:
            hosts.append(vol["endpoint"].split("://")[1].split(":")[0])
        assert set(hosts) <= services, (f.name, hosts)


def test_every_compose_variable_is_in_env_example() -> None:
    listed = {
        line.split("=")[0]
        for line in (COMPOSE / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    missing = compose_vars((COMPOSE / "compose.yaml").read_text()) - listed
    assert not missing


def test_load_balancer_sends_to_the_api_replicas_on_their_port() -> None:
    caddy = (COMPOSE / "Caddyfile").read_text()
    backends = re.search(r"reverse_proxy\s+([^{]+)\{", caddy)
    assert backends is not None
    targets = backends.group(1).split()
    api = {n for n in _kuzet_services() if n.startswith("api")}
    assert {t.split(":")[0] for t in targets} == api
    port = yaml.safe_load((COMPOSE / "site.api.yaml").read_text())["api"]["port"]
    assert {t.split(":")[1] for t in targets} == {str(port)}
    assert "health_uri /healthz" in caddy  # a route Kuzet serves (tests/api)


# ------------------------------------------------------------------ Helm chart
def test_chart_renders_with_plain_values_only() -> None:
    docs = render_chart(CHART)
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in docs)
    assert ("Deployment", "kuzet-api") in kinds and ("StatefulSet", "kuzet-worker") in kinds
    assert ("Deployment", "kuzet-gateway") in kinds and ("Service", "kuzet-api") in kinds


def test_chart_refuses_more_than_values(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "values.yaml").write_text("a: 1\n")
    (tmp_path / "templates" / "x.yaml").write_text("n: {{ .Values.b }}\n")
    with pytest.raises(ValueError, match=r"not in values\.yaml"):
        render_chart(tmp_path)
    (tmp_path / "templates" / "x.yaml").write_text('n: {{ include "x" . }}\n')
    with pytest.raises(ValueError, match="more than a value"):
        render_chart(tmp_path)


def _chart_site(container: dict[str, Any], docs: list[dict[str, Any]]) -> tuple[str, str]:
    """The site file a container runs: (text, source)."""
    argv = [str(a) for a in container.get("args", [])]
    if not argv:  # sh -c 'exec kuzet serve --site .../shard-${POD_INDEX}.yaml ...'
        line = container["command"][-1]
        assert line.startswith("exec kuzet ")
        argv = line.split()[2:]
    assert command_problem(argv) is None, command_problem(argv)
    path = option(argv, "--site")
    assert path is not None
    if "${POD_INDEX}" in path:  # the operator's shard ConfigMap: the example shard
        f = DEPLOY / "helm" / "shards-example" / "shard-0.yaml"
        return f.read_text(), str(f)
    name = Path(path).name
    for d in docs:
        if d["kind"] == "ConfigMap" and name in d.get("data", {}):
            return d["data"][name], f"ConfigMap {d['metadata']['name']}/{name}"
    raise AssertionError(f"{path}: no ConfigMap holds it")


def test_chart_containers_run_real_commands_over_valid_sites() -> None:
    docs = render_chart(CHART)
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    secret_env = {k: "from-secret" for k in values["secretKeys"]}
    checked = 0
    for d in docs:
        for c in pod_containers(d):
            env = {e["name"]: e.get("value", "from-field") for e in c.get("env", [])}
            problems = [p for k in env if (p := env_problem(k))]
            assert not problems, problems
            req = c["resources"]["requests"]
            assert req["cpu"] and req["memory"], d["metadata"]["name"]
            text, source = _chart_site(c, docs)
            assert site_problems(text, source, {**secret_env, **env}) == []
            checked += 1
    assert checked == 3


def test_chart_pods_share_pictures_through_one_bucket() -> None:
    """A picture a worker took must be served by any API replica: every site the chart runs
    names the same S3 bucket, and no pod mounts a claim for pictures."""
    docs = render_chart(CHART)
    buckets = set()
    for d in docs:
        for c in pod_containers(d):
            blobs = yaml.safe_load(_chart_site(c, docs)[0])["blobs"]
            assert blobs["type"] == "s3", d["metadata"]["name"]
            buckets.add((blobs["endpoint"], blobs["bucket"], blobs.get("prefix", "")))
        spec = d.get("spec", {}).get("template", {}).get("spec", {})
        assert not [v for v in spec.get("volumes", []) if "persistentVolumeClaim" in v]
    assert len(buckets) == 1, buckets


def test_every_kuzet_command_in_the_deploy_guide_is_real() -> None:
    guide = (DEPLOY.parent / "docs" / "deploy.md").read_text()
    commands = [
        shlex.split(line.split(" kuzet ", 1)[1].split("#")[0])
        for line in guide.splitlines()
        if " kuzet " in line and line.startswith("docker compose exec")
    ]
    assert commands
    for argv in commands:
        assert command_problem(argv) is None, command_problem(argv)


def test_compose_named_volumes_are_declared_and_pictures_are_shared() -> None:
    compose = _compose()
    declared = set(compose["volumes"])
    for name, svc in compose["services"].items():
        for v in svc.get("volumes", []):
            source = v.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, (name, source)
    # every Kuzet process sees the same pictures: one S3 bucket (blobs: type s3)
    buckets = set()
    for name, svc in _kuzet_services().items():
        site_file = option([str(a) for a in svc["command"]], "--site")
        assert site_file is not None
        blobs = yaml.safe_load((COMPOSE / Path(site_file).name).read_text())["blobs"]
        assert blobs["type"] == "s3", name
        buckets.add((blobs["endpoint"], blobs["bucket"], blobs.get("prefix", "")))
    assert len(buckets) == 1, buckets


def test_every_recording_worker_site_keeps_to_its_own_cameras() -> None:
    """Several recorders share one index: a worker whose retention took the others'
    cameras for cameras gone from its site file would delete their video."""
    sites = [COMPOSE / "site.worker-1.yaml", COMPOSE / "site.worker-2.yaml",
             DEPLOY / "helm" / "shards-example" / "shard-0.yaml"]  # fmt: skip
    for f in sites:
        record = yaml.safe_load(f.read_text())["record"]
        assert record["enabled"] and record["retention_scope"] == "cameras", f
