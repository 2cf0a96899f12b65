"""The README, .ci/run and docker-compose.yml say what the code does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from alerts.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


class TestReadme:
    def test_variable_table_matches_settings(self) -> None:
        """Every setting is documented, and nothing documented is missing from Settings."""
        table = README.split("<!-- variables -->", 1)[1].split("\n\n", 1)[0]
        documented = set(re.findall(r"^\| `(ALERTS_[A-Z_]+)`", table, flags=re.M))
        assert documented == {f"ALERTS_{name.upper()}" for name in Settings.model_fields}

    def test_ci_runs_the_readme_test_command(self) -> None:
        """.ci/run extracts and runs the README's test command."""
        script = (ROOT / ".ci" / "run").read_text()
        extract = re.search(r"cmd=\$\((awk .*)\)\n", script)
        assert extract is not None
        out = subprocess.run(
            ["bash", "-c", extract.group(1)], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        assert out == "./scripts/test"
        script = (ROOT / "scripts" / "test").read_text()
        assert "pip install -q -e '.[test]'" in script
        assert ".venv/bin/mypy\n" in script
        assert script.rstrip().endswith(
            'exec .venv/bin/pytest -n "${ALERTS_TEST_WORKERS:-2}" --dist loadfile "$@"'
        )


class TestCompose:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    def test_services_and_volumes_are_defined(self) -> None:
        """redis, the workers, beat and web exist, and every named volume used is declared."""
        services = self.compose["services"]
        assert {"redis", "worker", "deliverer", "beat", "web"} <= set(services)
        declared = set(self.compose.get("volumes") or {})
        for service in services.values():
            for volume in service.get("volumes", []):
                name = volume.split(":", 1)[0]
                if not name.startswith((".", "/")):
                    assert name in declared
            for dependency in service.get("depends_on", {}):
                assert dependency in services

    def test_redis_persists_and_is_checked(self) -> None:
        """Redis runs with AOF, a healthcheck and a volume; the app waits for it to be healthy."""
        redis = self.compose["services"]["redis"]
        assert "--appendonly" in redis["command"]
        assert "healthcheck" in redis
        assert redis["volumes"]
        commands = {
            "worker": ["worker", "--queues", "poll"],
            "deliverer": ["worker", "--queues", "deliver", "--hostname", "deliver@%h"],
            "beat": ["beat"],
        }
        for name, command in commands.items():
            service = self.compose["services"][name]
            assert service["build"] == "."
            assert service["depends_on"]["redis"]["condition"] == "service_healthy"
            assert service["environment"]["ALERTS_REDIS_URL"].startswith("redis://redis:")
            assert service["command"] == command
            assert service["restart"] == "unless-stopped"
            assert service["healthcheck"]["test"][1:4] == ["alerts", "health", "--role"]

    def test_polls_and_sends_have_workers_of_their_own(self) -> None:
        """Every queue is consumed, and a slow destination never holds a polling worker."""
        workers = [
            s for s in self.compose["services"].values() if s.get("command", [""])[0] == "worker"
        ]
        queues = [s["command"][s["command"].index("--queues") + 1].split(",") for s in workers]
        assert sorted(q for qs in queues for q in qs) == ["deliver", "poll"]
        assert all(len(qs) == 1 for qs in queues)
        deliverer = self.compose["services"]["deliverer"]
        assert deliverer["healthcheck"]["test"][1:5] == ["alerts", "health", "--role", "deliver"]

    def test_one_named_image_for_every_app_service(self) -> None:
        """The app services run one image with one name, not one anonymous build each."""
        names = ("worker", "deliverer", "beat", "web")
        images = {self.compose["services"][n].get("image") for n in names}
        assert images == {"missile-alerts:local"}

    def test_valid_against_the_compose_specification(self) -> None:
        """docker-compose.yml validates against the Compose Specification's JSON schema."""
        checker = Path(sys.executable).with_name("check-jsonschema")
        proc = subprocess.run(
            [str(checker), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def test_every_service_has_a_healthcheck_and_restart_policy(self) -> None:
        """Each service restarts by itself and reports its health."""
        for name, service in self.compose["services"].items():
            assert "healthcheck" in service, name
            assert service.get("restart") == "unless-stopped", name


class TestPackaging:
    pyproject = (ROOT / "pyproject.toml").read_text()

    def test_license_is_an_spdx_expression_with_a_file(self) -> None:
        """`license = {text = ...}` stops building in 2027 (PEP 639): SPDX string plus LICENSE."""
        assert re.search(r'^license = "MIT"$', self.pyproject, flags=re.M)
        assert "MIT License" in (ROOT / "LICENSE").read_text()

    def test_constraints_pin_every_runtime_dependency(self) -> None:
        """The image installs with -c constraints.txt: every runtime dependency is pinned there,
        at a version that satisfies pyproject's lower bound."""
        import tomllib

        from packaging.requirements import Requirement

        deps = tomllib.loads(self.pyproject)["project"]["dependencies"]
        pins = {}
        for line in (ROOT / "constraints.txt").read_text().splitlines():
            if line and not line.startswith("#"):
                name, version = line.split("==")
                pins[name.lower().replace("_", "-")] = version
        for dep in deps:
            req = Requirement(dep)
            name = req.name.lower().replace("_", "-")
            assert name in pins, f"{name} is not pinned in constraints.txt: run scripts/lock"
            assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} breaks {dep}"
        assert "-c constraints.txt" in (ROOT / "Dockerfile").read_text()

    def test_docker_context_leaves_out_local_state(self) -> None:
        ignored = (ROOT / ".dockerignore").read_text().splitlines()
        for path in (".venv", ".env", ".alerts-data", ".git"):
            assert path in ignored
