"""`alerts run`'s supervision: a dead component stops the run and readiness names it; the web
service is never opened to the network without a token."""

from __future__ import annotations

import time

import pytest

from alerts.config import load_settings
from alerts.errors import ConfigError
from workers.cli import Supervisor, _refuse_open_web, is_loopback


class TestSupervisor:
    def test_first_failure_is_kept_and_stops_the_run_once(self) -> None:
        """Each component's first failure is recorded and stops the run; healthy ones are not."""
        stops: list[str] = []
        beat_alive = True
        supervisor = Supervisor(on_failure=lambda: stops.append("stop"), grace_s=0)
        supervisor.watch("redis", lambda: None)
        supervisor.watch("beat", lambda: None if beat_alive else "was killed by SIGKILL")
        supervisor.check_once()
        assert (supervisor.failures, stops) == ({}, [])
        beat_alive = False
        supervisor.check_once()
        supervisor.check_once()
        assert supervisor.failures == {"beat": "was killed by SIGKILL"}
        assert stops == ["stop"]

    def test_a_check_that_raises_counts_as_a_failure(self) -> None:
        def broken() -> str | None:
            raise OSError("pipe closed")

        supervisor = Supervisor(on_failure=lambda: None, grace_s=0)
        supervisor.watch("beat", broken)
        supervisor.check_once()
        assert "OSError: pipe closed" in supervisor.failures["beat"]

    def test_watches_on_a_thread_until_stopped(self) -> None:
        """Started, it notices a death by itself; stopped, it reports nothing more."""
        state = {"web": "up"}
        stops: list[str] = []
        supervisor = Supervisor(
            on_failure=lambda: stops.append("stop"), interval_s=0.01, grace_s=0.05
        )
        supervisor.watch("web", lambda: None if state["web"] == "up" else "the server stopped")
        supervisor.start()
        state["web"] = "down"
        deadline = time.monotonic() + 5
        while not stops and time.monotonic() < deadline:
            time.sleep(0.01)
        supervisor.stop()
        assert supervisor.failures == {"web": "the server stopped"}
        supervisor.watch("beat", lambda: "exited")
        time.sleep(0.05)
        assert "beat" not in supervisor.failures

    def test_a_stop_asked_for_within_the_grace_is_no_failure(self) -> None:
        """SIGTERM to every process at once: Redis may end before the run's handler has run."""
        stops: list[str] = []
        supervisor = Supervisor(on_failure=lambda: stops.append("stop"), grace_s=0.2)
        supervisor.watch("redis", lambda: "exited with status 0")
        supervisor.check_once()
        assert (supervisor.failures, stops) == ({}, [])
        supervisor.stopping.set()  # the handler runs now
        time.sleep(0.25)
        supervisor.check_once()
        assert (supervisor.failures, stops) == ({}, [])

    def test_an_end_without_a_stop_is_a_failure_after_the_grace(self) -> None:
        stops: list[str] = []
        supervisor = Supervisor(on_failure=lambda: stops.append("stop"), grace_s=0.1)
        supervisor.watch("redis", lambda: "exited with status 1")
        supervisor.check_once()
        assert supervisor.failures == {}
        time.sleep(0.15)
        supervisor.check_once()
        assert (supervisor.failures, stops) == ({"redis": "exited with status 1"}, ["stop"])

    def test_a_stop_that_lasts_is_escalated_twice_then_no_more(self) -> None:
        """A warm shutdown hanging with its broker gone: cold shutdown, then exit at once."""
        stages: list[int] = []
        supervisor = Supervisor(on_failure=lambda: None, on_stuck=stages.append, stuck_after_s=0.1)
        supervisor.escalate_if_stuck()
        time.sleep(0.15)
        supervisor.escalate_if_stuck()
        assert stages == []  # no stop under way: nothing to escalate
        supervisor.stopping.set()
        supervisor.escalate_if_stuck()
        assert stages == []
        time.sleep(0.12)
        supervisor.escalate_if_stuck()
        assert stages == [1]
        time.sleep(0.1)
        supervisor.escalate_if_stuck()
        supervisor.escalate_if_stuck()
        time.sleep(0.25)
        supervisor.escalate_if_stuck()
        assert stages == [1, 2]


class TestOpenWebRefused:
    @pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
    def test_loopback(self, host: str) -> None:
        assert is_loopback(host)

    @pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "alerts.example.org"])  # noqa: S104
    def test_not_loopback(self, host: str) -> None:
        assert not is_loopback(host)

    def test_non_loopback_without_token_names_the_variable(self) -> None:
        settings = load_settings(web_host="0.0.0.0")  # noqa: S104
        with pytest.raises(ConfigError) as raised:
            _refuse_open_web(settings)
        assert raised.value.variable == "ALERTS_WEB_TOKEN"
        assert "0.0.0.0" in str(raised.value)

    def test_non_loopback_with_token_and_loopback_without_are_fine(self) -> None:
        _refuse_open_web(load_settings(web_host="0.0.0.0", web_token="t" * 32))  # noqa: S104
        _refuse_open_web(load_settings(web_host="127.0.0.1"))
