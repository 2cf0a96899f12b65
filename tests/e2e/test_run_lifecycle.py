"""`alerts run` as an operator meets it: run twice, killed hard, or losing a component.

A second run in the same folder is refused and leaves the first alone; a SIGKILLed run leaves
no child behind; a run whose beat dies stops with the beat's error instead of looking healthy.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alerts.embedded import LOCK_FILE, DataDirInUse, own_data_dir, start_embedded
from tests.integration.feed_server import FeedServer
from tests.support.feeds import rss
from tests.support.processes import AlertsProcess, alive, child_pids, descendant_pids, wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.add("/wire.rss", rss([]), etag=True)
        yield server


def run_env(feeds: FeedServer, data_dir: Path, **extra: str) -> dict[str, str]:
    """No destination and no ALERTS_LOG_FORMAT: the defaults a new user starts with."""
    return {
        "ALERTS_DATA_DIR": str(data_dir),
        "ALERTS_SOURCES": json.dumps(
            [{"name": "wire", "url": feeds.url("/wire.rss"), "interval_seconds": 1}]
        ),
        "ALERTS_WEB_PORT": str(free_port()),
        **extra,
    }


def polls(feeds: FeedServer) -> int:
    return len(feeds.requests_to("/wire.rss"))


def event(run: AlertsProcess, name: str) -> dict[str, Any]:
    [found] = [e for e in run.events() if e.get("event") == name]
    return found


def test_second_run_is_refused_and_the_first_goes_on(tmp_path: Path, feeds: FeedServer) -> None:
    """The bug: the second run took the first's redis.pid for a crash leftover and killed its
    Redis; the first then polled nothing. Also what the first run's log tells a new user."""
    data_dir = tmp_path / "data"
    env = run_env(feeds, data_dir)
    first = AlertsProcess(["run"], env=env, cwd=tmp_path, log=tmp_path / "first.log")
    try:
        wait_until(lambda: polls(feeds) >= 2, timeout_s=60, what="the first run's polls")
        redis_pid = int(event(first, "redis.embedded.started")["pid"])

        second_env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTS_")}
        second_env.update(env, ALERTS_WEB_PORT=str(free_port()))
        second = subprocess.run(
            [sys.executable, "-m", "workers", "run"],
            env=second_env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert second.returncode == 2
        assert second.stderr.splitlines() == [
            f"alerts: the data dir {data_dir.resolve()} is in use by PID {first.proc.pid}"
        ]
        assert second.stdout == ""

        before = polls(feeds)
        wait_until(lambda: polls(feeds) >= before + 2, timeout_s=30, what="polls to go on")
        assert alive(redis_pid)
        code = first.stop(signal.SIGINT, timeout_s=30)
        assert code == 0, first.text()[-3000:]
    finally:
        first.stop(signal.SIGKILL)
        first.kill_group()

    lines = first.text().splitlines()
    events = [json.loads(line) for line in lines]  # every line, none of them plain text
    assert all(isinstance(e, dict) and "event" in e for e in events)
    names = [e["event"] for e in events]
    assert names.count("destinations.none") == 1
    assert "alerts will only be logged" in event(first, "destinations.none")["consequence"]
    assert event(first, "web.started")["url"] == f"http://127.0.0.1:{env['ALERTS_WEB_PORT']}"
    assert "worker.starting" in names
    if os.geteuid() == 0:  # Celery's multi-line superuser warning: one event a worker
        roots = [e for e in events if "superuser privileges" in e["event"]]
        assert len(roots) == names.count("worker.starting") == 2  # polls, deliveries
        assert {root["logger"] for root in roots} == {"py.warnings"}


def test_sigkill_leaves_no_child_and_frees_the_data_dir(tmp_path: Path, feeds: FeedServer) -> None:
    """Whatever signal ends the run, its Redis, beat and pool go with it."""
    data_dir = tmp_path / "data"
    run = AlertsProcess(
        ["run"], env=run_env(feeds, data_dir), cwd=tmp_path, log=tmp_path / "run.log"
    )
    try:
        wait_until(lambda: polls(feeds) >= 2, timeout_s=60, what="the first polls")
        children = descendant_pids(run.proc.pid)
        # Redis, beat, the delivery worker and a pool process of each worker
        assert len(children) >= 5, children
        os.kill(run.proc.pid, signal.SIGKILL)  # the run alone, not its process group
        run.proc.wait(10)
        wait_until(
            lambda: not any(alive(pid) for pid in children),
            timeout_s=10,
            what=f"children {children} to die with their parent",
        )
    finally:
        run.stop(signal.SIGKILL)
        run.kill_group()
    # Every process forked from the run holds its data dir's lock; one forked after the
    # snapshot above (a pool process replaced) dies a moment later (a clean-clone CI run read
    # the lock while it was still held), and the kernel may drop a dead process's lock a moment
    # after its open files are gone from /proc (another read no holder, yet the lock held): the
    # dir must be ours to take again within seconds.
    try:
        wait_until(lambda: _can_own(data_dir), timeout_s=10, what="the lock to be freed")
    except TimeoutError:
        pytest.fail(f"the data dir's lock is still held by {lock_holders(data_dir, named=True)}")


def _can_own(data_dir: Path) -> bool:
    try:
        own_data_dir(data_dir).release()
    except DataDirInUse:
        return False
    return True


def lock_holders(data_dir: Path, *, named: bool = False) -> list[Any]:
    """The PIDs (with their command lines if `named`) of processes holding the lock file open."""
    lock = str((data_dir / LOCK_FILE).resolve())
    found: list[Any] = []
    for fds in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) == lock for fd in fds.iterdir()):
                pid = int(fds.parent.name)
                cmdline = (fds.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found.append((pid, cmdline.decode(errors="replace").strip()) if named else pid)
    return found


def assert_killing_it_stops_the_run(run: AlertsProcess, component: str) -> None:
    """SIGKILL a child component: the run stops (exit 1), naming it and how it ended."""
    os.kill(int(event(run, f"{component}.started")["pid"]), signal.SIGKILL)
    run.proc.wait(30)
    assert run.stop() == 1, run.text()[-3000:]
    failed = event(run, "run.component.failed")
    assert (failed["component"], failed["error"]) == (component, "was killed by SIGKILL")
    assert event(run, "run.stopped")["component"] == component


def test_dead_beat_stops_the_run_with_its_error(tmp_path: Path, feeds: FeedServer) -> None:
    """With ALERTS_REDIS_URL set and the data dir missing, the beat used to die and the worker
    and web went on, polling nothing. Now the dir is made, and a beat that dies ends the run."""
    redis = start_embedded(tmp_path / "redis", appendonly=False)
    data_dir = tmp_path / "not" / "yet" / "there"
    env = run_env(feeds, data_dir, ALERTS_REDIS_URL=redis.url)
    run = AlertsProcess(["run"], env=env, cwd=tmp_path, log=tmp_path / "run.log")
    try:
        wait_until(lambda: polls(feeds) >= 2, timeout_s=60, what="polls through the beat")
        assert data_dir.is_dir()
        assert_killing_it_stops_the_run(run, "beat")
    finally:
        run.stop(signal.SIGKILL)
        run.kill_group()
        redis.stop()


def test_dead_delivery_worker_stops_the_run_with_its_error(
    tmp_path: Path, feeds: FeedServer
) -> None:
    """Sends have a worker of their own: without it launches would be found and never sent,
    so its death ends the run as the beat's does (a supervisor, systemd, starts it again)."""
    data_dir = tmp_path / "data"
    run = AlertsProcess(["run"], env=run_env(feeds, data_dir), cwd=tmp_path,
                        log=tmp_path / "run.log")  # fmt: skip
    try:
        wait_until(lambda: polls(feeds) >= 2, timeout_s=60, what="the first polls")
        assert int(event(run, "deliverer.started")["pid"]) in child_pids(run.proc.pid)
        assert_killing_it_stops_the_run(run, "deliverer")
    finally:
        run.stop(signal.SIGKILL)
        run.kill_group()


def test_sigterm_to_every_process_is_a_clean_stop(tmp_path: Path, feeds: FeedServer) -> None:
    """systemd (KillMode=control-group) or `pkill` signals every process of the run at once:
    the delivery worker then ends before the polling worker, which is a stop, not a failure."""
    data_dir = tmp_path / "data"
    run = AlertsProcess(["run"], env=run_env(feeds, data_dir), cwd=tmp_path,
                        log=tmp_path / "run.log")  # fmt: skip
    try:
        wait_until(lambda: polls(feeds) >= 2, timeout_s=60, what="the first polls")
        deliverer = int(event(run, "deliverer.started")["pid"])
        everyone = [run.proc.pid, *descendant_pids(run.proc.pid)]
        for pid in everyone:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        assert run.stop(timeout_s=60) == 0, run.text()[-3000:]
        assert not alive(deliverer)
        names = [e.get("event") for e in run.events()]
        assert "run.component.failed" not in names
        assert "run.component.killed" not in names
    finally:
        run.stop(signal.SIGKILL)
        run.kill_group()


def test_a_stop_that_hangs_is_forced(tmp_path: Path, feeds: FeedServer) -> None:
    """A warm shutdown that cannot end (here: the polling worker's pool processes frozen, so
    they never take their stop) becomes a cold one, then an exit: the run stops by itself, and
    every child dies with it."""
    data_dir = tmp_path / "data"
    env = run_env(feeds, data_dir, ALERTS_FETCH_TIMEOUT_SECONDS="1")
    run = AlertsProcess(["run"], env=env, cwd=tmp_path, log=tmp_path / "run.log")
    try:
        wait_until(lambda: polls(feeds) >= 2, timeout_s=60, what="the first polls")
        components = {int(event(run, f"{name}.started")["pid"])
                      for name in ("beat", "deliverer", "redis.embedded")}  # fmt: skip
        pool = [pid for pid in child_pids(run.proc.pid) if pid not in components]
        assert pool, "no pool process found"
        everyone = descendant_pids(run.proc.pid)
        for pid in pool:
            os.kill(pid, signal.SIGSTOP)
        os.kill(run.proc.pid, signal.SIGTERM)
        # 11 s (a 1 s poll and the margin) to the cold shutdown, as long again to the exit
        assert run.stop(timeout_s=60) == 0, run.text()[-3000:]
        names = [e.get("event") for e in run.events()]
        assert "run.stop.slow" in names
        assert "run.component.failed" not in names
        wait_until(lambda: not any(alive(pid) for pid in everyone), timeout_s=10,
                   what="every child to end with the run")  # fmt: skip
    finally:
        run.stop(signal.SIGKILL)
        run.kill_group()
