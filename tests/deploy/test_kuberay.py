"""deploy/kuberay: the city's RayCluster and the RayJob that runs `kuzet cluster run` on it.
The driver's command must parse, its site file must load and be one a cluster can run, and
what the command asks Ray for must fit in what the RayCluster offers (else Ray leaves
shards or detector replicas pending forever and nothing says why)."""

from __future__ import annotations

import json
import math
import shlex
from pathlib import Path
from typing import Any

import yaml

from kuzet.cluster.plan import city_problems
from kuzet.config.loader import parse_site

from .manifests import command_problem, environment, option, site_problems

KUBERAY = Path(__file__).resolve().parents[2] / "deploy" / "kuberay"
SECRETS = {"PGPASSWORD": "x", "S3_ACCESS_KEY": "x", "S3_SECRET_KEY": "x", "CAMERA_PASSWORD": "x"}


def _docs() -> dict[str, dict[str, Any]]:
    docs = list(yaml.safe_load_all((KUBERAY / "kuzet-city.yaml").read_text()))
    return {d["kind"]: d for d in docs}


def _driver() -> list[str]:
    argv = shlex.split(_docs()["RayJob"]["spec"]["entrypoint"])
    assert argv[:3] == ["kuzet", "cluster", "run"], argv
    return argv[1:]


def test_the_job_runs_a_real_command_on_this_cluster() -> None:
    docs = _docs()
    assert docs["RayCluster"]["apiVersion"] == docs["RayJob"]["apiVersion"] == "ray.io/v1"
    selector = docs["RayJob"]["spec"]["clusterSelector"]["ray.io/cluster"]
    assert selector == docs["RayCluster"]["metadata"]["name"]
    assert command_problem(_driver()) is None, command_problem(_driver())


def test_the_city_site_file_loads_and_is_a_cluster_site() -> None:
    text = (KUBERAY / "city.example.yaml").read_text()
    assert site_problems(text, "city.example.yaml", SECRETS) == []
    with environment(SECRETS):
        site = parse_site(text, "city.example.yaml")
    assert city_problems(site) == []
    assert site.blobs.type == "s3"  # every shard's snapshots where any API replica reads them
    # the site file is where the job reads it
    head = _docs()["RayCluster"]["spec"]["headGroupSpec"]["template"]["spec"]
    mounts = {m["mountPath"] for c in head["containers"] for m in c["volumeMounts"]}
    path = Path(_driver()[2])
    assert str(path.parent) in mounts and path.name.startswith("city"), (path, mounts)


def test_what_the_driver_asks_for_fits_in_the_workers() -> None:
    argv = _driver()
    shards, shard_cpus = (
        int(option(argv, "--shards") or 0),
        float(option(argv, "--shard-cpus") or 1),
    )
    replicas = int(option(argv, "--detector-replicas") or 1)
    det_cpus = float(option(argv, "--detector-cpus") or 1)
    det_gpus = float(option(argv, "--detector-gpus") or 0)
    spec = _docs()["RayCluster"]["spec"]
    assert spec["headGroupSpec"]["rayStartParams"]["num-cpus"] == "0"  # nothing on the head
    (group,) = spec["workerGroupSpecs"]
    nodes, params = group["replicas"], group["rayStartParams"]
    cpus, gpus = float(params["num-cpus"]), float(params.get("num-gpus", 0))
    # per node: whole shards beside one detector replica
    shards_per_node = math.floor((cpus - det_cpus) / shard_cpus)
    assert gpus >= det_gpus and nodes * shards_per_node >= shards, (nodes, shards_per_node)
    assert replicas * det_gpus <= nodes * gpus
    # the replicas' custom resource is declared where they must run, one slot a node
    if resource := option(argv, "--detector-resource"):
        declared = json.loads(yaml.safe_load(params["resources"]))
        assert declared == {resource: 1}, declared
        assert nodes >= replicas
    # room beyond the plan: a dead node's shards restart elsewhere
    assert group["maxReplicas"] > nodes
    # the container gives Ray what rayStartParams announce
    (c,) = group["template"]["spec"]["containers"]
    assert float(c["resources"]["requests"]["cpu"]) >= cpus
    assert int(c["resources"]["limits"].get("nvidia.com/gpu", 0)) >= gpus
