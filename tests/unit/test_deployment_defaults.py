"""What a stock `docker compose up` exposes, and what `.env.example` says (issue 13).

The stack must not serve the dashboard and the replay button to the network with no token, and
its Redis must have a memory ceiling that can never evict queued work or the delivery ledger.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from alerts.config import Settings, load_settings
from alerts.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def _published(port: str | dict[str, object]) -> tuple[str, str]:
    """(host address, host port) of a compose `ports` entry, short or long syntax."""
    if isinstance(port, dict):
        return str(port.get("host_ip", "")), str(port.get("published", ""))
    parts = str(port).rsplit(":", 2)
    return (parts[0], parts[1]) if len(parts) == 3 else ("", parts[0])


class TestCompose:
    def test_nothing_is_published_beyond_this_machine(self) -> None:
        """Every published port (the web service's 8080) listens on 127.0.0.1 only."""
        published = [
            (name, _published(port))
            for name, service in COMPOSE["services"].items()
            for port in service.get("ports", [])
        ]
        assert ("web", ("127.0.0.1", "8080")) in published
        assert all(address == "127.0.0.1" for _, (address, _) in published), published

    def test_redis_has_a_ceiling_that_never_evicts(self) -> None:
        """maxmemory from ALERTS_REDIS_MAXMEMORY (Settings' default), policy noeviction."""
        command = COMPOSE["services"]["redis"]["command"]
        default = Settings.model_fields["redis_maxmemory"].default
        assert command[command.index("--maxmemory") + 1] == (
            f"${{ALERTS_REDIS_MAXMEMORY:-{default}}}"
        )
        assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
        assert "--appendonly" in command


class TestEnvExample:
    def test_it_offers_the_web_token_and_host_settings(self) -> None:
        for name in ("ALERTS_WEB_TOKEN", "ALERTS_WEB_ALLOWED_HOSTS", "ALERTS_REDIS_MAXMEMORY"):
            assert re.search(rf"^#? ?{name}=", ENV_EXAMPLE, flags=re.M), name

    def test_every_variable_it_names_exists(self) -> None:
        named = set(re.findall(r"^#? ?(ALERTS_[A-Z_]+)=", ENV_EXAMPLE, flags=re.M))
        assert named <= {f"ALERTS_{field.upper()}" for field in Settings.model_fields}

    def test_it_loads_as_is_and_with_its_examples_uncommented(self, tmp_path: Path) -> None:
        """Copied to .env it starts; so does every commented example, except the empty token,
        which is refused (an empty token once let everyone in)."""
        as_is = tmp_path / "as-is.env"
        as_is.write_text(ENV_EXAMPLE, encoding="utf-8")
        assert load_settings(_env_file=as_is).web_token is None
        examples = re.sub(r"^# ?(ALERTS_[A-Z_]+=)", r"\1", ENV_EXAMPLE, flags=re.M)
        without_token = tmp_path / "examples.env"
        without_token.write_text(re.sub(r"^ALERTS_WEB_TOKEN=.*$", "", examples, flags=re.M))
        settings = load_settings(_env_file=without_token)
        assert settings.web_allowed_hosts == ["alerts.example.org"]
        everything = tmp_path / "everything.env"
        everything.write_text(examples, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"^ALERTS_WEB_TOKEN: is empty"):
            load_settings(_env_file=everything)
