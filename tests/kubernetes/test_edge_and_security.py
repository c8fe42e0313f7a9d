"""The edge enforces compose's limits; every pod runs unprivileged; the network is closed
except for the paths the app needs; secrets stay out of git."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from stack.services.nginx import UPSTREAM_SERVER_PARAMETERS, nginx_argv, render_config
from tests.edge.nginx_configs import image_variables

from .manifests import REPO, SECRET_EXAMPLES, Manifest, Rendering, containers, pod_spec

NGINX = REPO / "nginx"
ANNOTATION = "nginx.ingress.kubernetes.io/"


def nginx_limits() -> dict[str, tuple[int, int]]:
    """{location: (requests per minute, burst)} from nginx.conf's zones and app.conf's locations."""
    zones = {
        name: int(rate)
        for name, rate in re.findall(
            r"limit_req_zone \S+ zone=(\w+):\S+ rate=(\d+)r/m;", (NGINX / "nginx.conf").read_text()
        )
    }
    app = (NGINX / "snippets" / "app.conf").read_text()
    limits = {}
    for path, body in re.findall(r"location = (\S+) \{([^}]*)\}", app):
        found = re.search(r"limit_req zone=(\w+) burst=(\d+) nodelay;", body)
        if found:
            limits[path] = (zones[found[1]], int(found[2]))
    return limits


def test_ingress_limits_equal_the_compose_edges(renderings: dict[str, Rendering]) -> None:
    body_size = re.search(r"client_max_body_size (\S+);", (NGINX / "nginx.conf").read_text())
    assert body_size
    # The ingress repeats the anonymous endpoints' limits; the signed-in ones (password change,
    # account deletion) are limited by the nginx pods' own config, behind real-ip.conf.
    limits = {path: limit for path, limit in nginx_limits().items() if "/auth/" in path}
    assert limits == {"/api/v1/auth/login": (10, 10), "/api/v1/auth/signup": (5, 5)}
    for rendering in renderings.values():
        seen = {}
        for ingress in rendering.of_kind("Ingress"):
            annotations = ingress["metadata"]["annotations"]
            assert annotations[ANNOTATION + "proxy-body-size"] == body_size[1]
            [rule] = ingress["spec"]["rules"]
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["name"] == "nginx"
                if ANNOTATION + "limit-rpm" in annotations:
                    rpm = int(annotations[ANNOTATION + "limit-rpm"])
                    burst = rpm * int(annotations[ANNOTATION + "limit-burst-multiplier"])
                    assert path["pathType"] == "Exact"
                    seen[path["path"]] = (rpm, burst)
        assert seen == limits, rendering.overlay


def test_prod_ingress_has_tls_from_cert_manager(prod: Rendering) -> None:
    issuers = []
    for ingress in prod.of_kind("Ingress"):
        [tls] = ingress["spec"]["tls"]
        assert tls["hosts"] == [ingress["spec"]["rules"][0]["host"]]
        issuers.append(ingress["metadata"]["annotations"].get("cert-manager.io/cluster-issuer"))
    # One Certificate for the host: only one Ingress asks cert-manager, the others share its Secret.
    assert sorted(issuers, key=str) == [None, None, "letsencrypt"]


def effective(pod: Manifest, container: Manifest, key: str) -> object:
    return container.get("securityContext", {}).get(key, pod.get("securityContext", {}).get(key))


def test_every_container_is_locked_down(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        for obj in rendering.objects:
            pod = pod_spec(obj)
            if pod is None:
                continue
            assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
            assert pod.get("automountServiceAccountToken") is False
            for c in containers(pod):
                where = f"{rendering.overlay} {obj['kind']} {obj['metadata']['name']} {c['name']}"
                assert effective(pod, c, "runAsNonRoot") is True, where
                assert isinstance(effective(pod, c, "runAsUser"), int), where
                context = c["securityContext"]
                assert context["allowPrivilegeEscalation"] is False, where
                assert context["readOnlyRootFilesystem"] is True, where
                assert context["capabilities"]["drop"] == ["ALL"], where
                assert "add" not in context["capabilities"], where
                assert c["resources"]["requests"], where
                assert c["resources"]["limits"]["memory"], where


def dockerfile_user(path: str) -> int:
    users = re.findall(r"^USER (\d+)", (REPO / path).read_text(), re.MULTILINE)
    return int(users[-1])


def test_pods_run_as_the_images_users(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        for name, dockerfile in [
            ("backend", "backend/Dockerfile"),
            ("nginx", "frontend/Dockerfile"),
        ]:
            pod = pod_spec(rendering.get("Deployment", name))
            assert pod
            assert pod["securityContext"]["runAsUser"] == dockerfile_user(dockerfile)
        [job] = rendering.of_kind("Job")
        job_pod = pod_spec(job)
        assert job_pod
        assert job_pod["securityContext"]["runAsUser"] == dockerfile_user("backend/Dockerfile")


def test_workloads_survive_disruption(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        for name in ("backend", "nginx"):
            deployment = rendering.get("Deployment", name)
            assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
            assert rendering.get("PodDisruptionBudget", name)["spec"]["minAvailable"] == 1
            spread = pod_spec(deployment)["topologySpreadConstraints"]  # type: ignore[index]
            assert spread[0]["topologyKey"] == "kubernetes.io/hostname"
        hpa = rendering.get("HorizontalPodAutoscaler", "backend")
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert hpa["spec"]["minReplicas"] >= 2


def peers(policy: Manifest, direction: str) -> set[tuple[str, str, int]]:
    """(namespace or "", "label=value" of the pods or "*", port or 0) of each allowed peer."""
    found = set()
    for rule in policy["spec"].get(direction, []):
        ports = [p["port"] for p in rule.get("ports", [])] or [0]
        for peer in rule.get("from" if direction == "ingress" else "to", [{}]):
            namespace = peer.get("namespaceSelector", {}).get("matchLabels", {})
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            pods = ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "*"
            ns = namespace.get("kubernetes.io/metadata.name", "")
            found |= {(ns, pods, port) for port in ports}
    return found


NGINX_PODS = "app.kubernetes.io/name=nginx"
BACKEND_PODS = "app.kubernetes.io/name=backend"
MIGRATION_PODS = "app.kubernetes.io/name=migrations"
PROMETHEUS = ("monitoring", "app.kubernetes.io/name=prometheus")
DATABASE = "app.kubernetes.io/component=database"


def test_network_is_closed_but_for_the_apps_paths(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        deny = rendering.get("NetworkPolicy", "default-deny")
        assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        nginx = rendering.get("NetworkPolicy", "nginx")
        assert peers(nginx, "ingress") == {
            ("ingress-nginx", "app.kubernetes.io/name=ingress-nginx", 8080),
            (*PROMETHEUS, 9113),
        }
        assert peers(nginx, "egress") == {("", BACKEND_PODS, 8000)}
        backend = rendering.get("NetworkPolicy", "backend")
        assert peers(backend, "ingress") == {("", NGINX_PODS, 8000), (*PROMETHEUS, 8000)}
        for name in ("backend", "migrations"):
            assert peers(rendering.get("NetworkPolicy", name), "egress") == {("", DATABASE, 5432)}
        assert peers(rendering.get("NetworkPolicy", "migrations"), "ingress") == set()


def test_only_the_backend_and_migrations_reach_the_database(
    renderings: dict[str, Rendering],
) -> None:
    for rendering in renderings.values():
        policy = rendering.get("NetworkPolicy", "db")
        clients = {(ns, pods) for ns, pods, port in peers(policy, "ingress") if port == 5432}
        # CloudNativePG's instances also replicate from each other.
        instances = {("", "cnpg.io/cluster=db")} if rendering.overlay == "prod" else set()
        assert clients == {("", BACKEND_PODS), ("", MIGRATION_PODS)} | instances


def test_the_dev_database_pods_carry_the_labels_the_policies_select(dev: Rendering) -> None:
    labels = dev.get("StatefulSet", "db")["spec"]["template"]["metadata"]["labels"]
    selected = dev.get("NetworkPolicy", "db")["spec"]["podSelector"]["matchLabels"]
    assert selected.items() <= labels.items()
    key, value = DATABASE.split("=")
    assert labels[key] == value


def test_local_secret_files_are_ignored_by_git() -> None:
    examples = sorted(SECRET_EXAMPLES.glob("*.env.example"))
    assert len(examples) == 3
    real = [str(path.with_suffix("")) for path in examples]
    ignored = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", *real], capture_output=True, text=True, check=False
    )
    assert ignored.stdout.split() == real
    committed = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", *map(str, examples)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert committed.stdout == ""


def test_the_pods_nginx_config_is_valid(prod: Rendering, tmp_path: Path) -> None:
    """nginx -t on what the nginx container runs: nginx/ rendered with the image's defaults and
    the Deployment's environment, plus real-ip.conf mounted into conf.d/."""
    pod = pod_spec(prod.get("Deployment", "nginx"))
    assert pod
    [nginx] = [c for c in pod["containers"] if c["name"] == "nginx"]
    variables = {**image_variables(), **{v["name"]: v["value"] for v in nginx["env"]}}
    assert variables["NGINX_SITE"] == "http"
    # Only what cannot exist here changes: `backend` resolves in the cluster alone.
    variables["NGINX_BACKEND_SERVERS"] = variables["NGINX_BACKEND_SERVERS"].replace(
        "server backend:", "server 127.0.0.1:"
    )
    variables["NGINX_STATIC_ROOT"] = str(tmp_path)
    conf = render_config(tmp_path / "nginx", variables)
    [mount] = [m for m in nginx["volumeMounts"] if m["name"] == "nginx-real-ip"]
    assert mount["mountPath"] == "/etc/nginx/conf.d/real-ip.conf"
    real_ip = prod.generated("ConfigMap", "nginx-real-ip")["data"][mount["subPath"]]
    (conf.parent / "conf.d" / "real-ip.conf").write_text(real_ip)
    result = subprocess.run(nginx_argv(conf, "-t"), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "real_ip_header X-Forwarded-For;" in real_ip


def test_the_pods_nginx_skips_failed_replicas_as_compose_and_the_native_stack_do(
    prod: Rendering,
) -> None:
    pod = pod_spec(prod.get("Deployment", "nginx"))
    assert pod
    [nginx] = [c for c in pod["containers"] if c["name"] == "nginx"]
    servers = {v["name"]: v["value"] for v in nginx["env"]}.get("NGINX_BACKEND_SERVERS")
    assert servers in (None, f"server backend:8000 {UPSTREAM_SERVER_PARAMETERS};")


def test_the_autoscaler_owns_the_backends_replica_count(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        assert "replicas" not in rendering.get("Deployment", "backend")["spec"]
