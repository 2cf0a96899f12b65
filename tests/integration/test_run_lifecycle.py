"""The pieces `alerts run` is made of, each against the real thing: the data-dir lock, children
that die with their parent, the supervised beat child, every output line as JSON, readiness
naming a dead component, and an embedded Redis that refuses writes rather than evicting."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.signals import beat_init, worker_shutting_down
from fastapi import FastAPI

from alerts.config import load_settings
from alerts.embedded import DataDirInUse, _die_with_parent, _prctl, own_data_dir, start_embedded
from tests.support.processes import alive, wait_until
from tests.web.server import http_client
from workers.cli import (
    BEAT_STOP_SIGNAL,
    BeatStop,
    ChildProcess,
    RunReadiness,
    Supervisor,
    reentrant_shutdown_signal,
    start_beat,
    start_deliverer,
)

ROOT = Path(__file__).resolve().parents[2]


def python(script: str, *args: str) -> subprocess.Popen[str]:
    """A Python child running `script`, stdout and stderr piped."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class TestDataDirLock:
    def test_a_second_owner_is_refused_with_the_holders_pid(self, tmp_path: Path) -> None:
        lock = own_data_dir(tmp_path / "data")
        with pytest.raises(DataDirInUse) as refused:
            own_data_dir(tmp_path / "data")
        assert refused.value.pid == os.getpid()
        assert str(refused.value) == (
            f"the data dir {(tmp_path / 'data').resolve()} is in use by PID {os.getpid()}"
        )
        lock.release()
        own_data_dir(tmp_path / "data").release()

    def test_the_lock_goes_with_its_holder_even_on_sigkill(self, tmp_path: Path) -> None:
        """No pid file to guess from: the kernel drops the lock of a dead process."""
        holder = python(
            """
            import sys, time
            from pathlib import Path
            from alerts.embedded import own_data_dir
            own_data_dir(Path(sys.argv[1]))
            print("locked", flush=True)
            time.sleep(60)
            """,
            str(tmp_path),
        )
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "locked"
            with pytest.raises(DataDirInUse) as refused:
                own_data_dir(tmp_path)
            assert refused.value.pid == holder.pid
        finally:
            holder.kill()
            holder.communicate(timeout=10)
        own_data_dir(tmp_path).release()


class TestChildrenDieWithParent:
    def test_a_forked_child_dies_when_its_parent_is_sigkilled(self) -> None:
        parent = python(
            """
            import os, time
            from alerts.embedded import forked_children_die_with_this_process
            forked_children_die_with_this_process()
            child = os.fork()
            if child == 0:
                time.sleep(60)
                os._exit(0)
            print(child, flush=True)
            time.sleep(60)
            """
        )
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.kill()
        parent.communicate(timeout=10)
        wait_until(lambda: not alive(child), timeout_s=5, what="the orphan to die")

    def test_a_server_child_whose_parent_is_already_gone_exits(self) -> None:
        """The embedded Redis is forked, then asks Linux to signal it when its parent dies; a
        parent dead in between would leave it running forever, so it exits instead (the check
        runs in the child: here the pid it was told is not its parent's)."""
        _prctl()  # looked up in the parent, as start_embedded does
        child = os.fork()
        if child == 0:  # pragma: no cover - the child's exit status is the assertion
            try:
                _die_with_parent(os.getppid() + 1_000_000)
            finally:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 1

    def test_a_server_child_whose_parent_lives_goes_on(self) -> None:
        _prctl()
        child = os.fork()
        if child == 0:  # pragma: no cover
            try:
                _die_with_parent(os.getppid())
            finally:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0


def _beat_app(schedule: Path) -> Celery:
    app = Celery("beat-test", broker="memory://", set_as_current=False)
    app.conf.update(beat_schedule={}, beat_schedule_filename=str(schedule))
    return app


def assert_not_its_signals(child: ChildProcess, *signals: signal.Signals) -> None:
    """Sent the instant `child` is forked, before its handlers are in place, `signals` neither
    kill nor fail it, and its parent's stop still ends it cleanly."""
    try:
        assert child.process.pid is not None
        for sent in signals:
            os.kill(child.process.pid, sent)
        time.sleep(1.0)
        assert child.failure() is None
    finally:
        child.stop()
    assert child.process.exitcode == 0


class TestBeatChild:
    def test_a_failing_beat_reports_its_error(self, tmp_path: Path) -> None:
        """The bug: beat died on FileNotFoundError and nothing above it noticed."""
        beat = start_beat(_beat_app(tmp_path / "missing" / "celerybeat-schedule"))
        try:
            wait_until(lambda: beat.failure() is not None, timeout_s=15, what="beat to fail")
            failure = str(beat.failure())
            assert failure.startswith("exited with status 1: ")
            assert "FileNotFoundError" in failure
        finally:
            beat.stop()

    def test_only_its_parent_stops_it(self, tmp_path: Path) -> None:
        """Ctrl-C or SIGTERM to the process group is for the run; the run stops beat last.
        Even the instant it is forked, before its handlers are in place (it was then killed by
        the SIGTERM, which a loaded CI machine showed)."""
        beat = start_beat(_beat_app(tmp_path / "celerybeat-schedule"))
        assert_not_its_signals(beat, signal.SIGTERM, signal.SIGINT)

    def test_stopped_the_instant_it_is_forked_it_ends_cleanly(self, tmp_path: Path) -> None:
        """A run stopped as it starts: the beat's stop signal before its loop is no failure."""
        beat = start_beat(_beat_app(tmp_path / "celerybeat-schedule"))
        beat.stop()
        assert beat.process.exitcode == 0

    def test_a_stop_whose_exit_is_lost_still_ends_its_loop(self, tmp_path: Path) -> None:
        """The stop handler's SystemExit lost, as when the signal lands in a weakref callback
        or a `__del__` (here it is raised in another thread than the loop's): the beat's loop
        still ends within its 1 s tick, and saves its schedule."""
        from celery.beat import Service

        app = _beat_app(tmp_path / "celerybeat-schedule")
        app.conf.beat_max_loop_interval = 1.0
        service, stop, ticking = Service(app), BeatStop(), threading.Event()
        assert stop.attach(service)

        def ticked(sender: object = None, **_: object) -> None:
            if sender is service:
                ticking.set()

        beat_init.connect(ticked, weak=False)
        try:
            loop = threading.Thread(target=service.start, daemon=True)
            loop.start()
            assert ticking.wait(10)
            with pytest.raises(SystemExit):
                stop(BEAT_STOP_SIGNAL, None)
            loop.join(5)
            assert not loop.is_alive()
        finally:
            beat_init.disconnect(ticked)
            service.stop()
        assert list(tmp_path.glob("celerybeat-schedule*"))

    def test_the_stop_handler_never_logs(self, tmp_path: Path) -> None:
        """`Service.stop` logs before it sets the flag; a stop landing while the beat writes a
        log line makes that a reentrant write, whose error the logging handler swallows (most
        likely why a CI run's beat ran on after its stop). The handler sets the flag itself."""
        from celery.beat import Service

        service = Service(_beat_app(tmp_path / "celerybeat-schedule"))

        def logging_stop(*_: object, **__: object) -> None:
            raise AssertionError("the handler called Service.stop, which logs")

        service.stop = logging_stop  # type: ignore[method-assign]
        stop = BeatStop()
        assert stop.attach(service)
        with pytest.raises(SystemExit):
            stop(BEAT_STOP_SIGNAL, None)
        assert service._is_shutdown.is_set()

    def test_a_stop_before_its_service_exists_is_kept(self) -> None:
        """Signalled before the Service is made, the handler's SystemExit may be lost too: the
        stop is kept, and the beat ends instead of starting its loop."""
        stop = BeatStop()
        with pytest.raises(SystemExit):
            stop(BEAT_STOP_SIGNAL, None)
        assert not stop.attach(object())


class TestDelivererChild:
    @pytest.mark.filterwarnings("ignore::celery.exceptions.SecurityWarning")  # root in CI
    def test_stopped_before_its_worker_runs_it_ends_cleanly(self, tmp_path: Path) -> None:
        """A stop before Celery's SIGTERM handler is in place (a loaded CI machine took over a
        second to get there) is a clean exit, not a death by SIGTERM, whatever its parent's
        handler: here pytest's default one."""
        app = Celery("deliverer-test", broker="memory://", set_as_current=False)
        app.conf.update(accept_content=["json"])
        deliverer = start_deliverer(app, load_settings(data_dir=tmp_path))
        deliverer.stop()
        assert deliverer.process.exitcode == 0

    @pytest.mark.filterwarnings("ignore::celery.exceptions.SecurityWarning")  # root in CI
    def test_a_ctrl_c_the_instant_it_is_forked_is_not_its(self, tmp_path: Path) -> None:
        """Ctrl-C is for the run, which stops the delivery worker after the polling one; in its
        first moments, before it leads its own process group, it was still the deliverer's."""
        app = Celery("deliverer-test", broker="memory://", set_as_current=False)
        app.conf.update(accept_content=["json"])  # as the service's: a root worker refuses
        # to start if it accepts pickle
        assert_not_its_signals(
            start_deliverer(app, load_settings(data_dir=tmp_path)), signal.SIGINT
        )

    def test_killed_before_it_leads_its_own_group_it_still_dies(self) -> None:
        """A component killed before its setpgid has no group to SIGKILL: stopping it fell
        through to waiting on it forever; now it is killed by pid."""
        context = multiprocessing.get_context("fork")
        errors, _ = context.Pipe(duplex=False)
        lingering = context.Process(target=time.sleep, args=(60,), daemon=True)
        lingering.start()
        # SIGCONT asks nothing of a running process: the stop waits, then kills
        child = ChildProcess(lingering, errors, signal.SIGCONT, own_group=True)
        stopping = threading.Thread(target=child.stop, kwargs={"timeout_s": 0.2}, daemon=True)
        stopping.start()
        stopping.join(10)
        try:
            assert not stopping.is_alive()
            assert lingering.exitcode == -signal.SIGKILL
        finally:
            lingering.kill()


class TestShutdownSignal:
    def test_a_stop_signal_inside_the_shutdown_signal_does_not_deadlock(self) -> None:
        """The run's stop hook is a receiver of Celery's worker_shutting_down, sent from the
        stop-signal handler; a second signal arriving while the first send holds the receivers'
        lock sends again in the same thread. Simulated here: the send made while this thread
        holds the lock must return (it waited forever on Celery's plain Lock)."""
        reentrant_shutdown_signal()
        calls: list[str] = []

        def receiver(**named: object) -> None:
            calls.append(str(named.get("sig")))

        worker_shutting_down.connect(receiver, weak=False)
        done = threading.Event()

        def nested() -> None:
            with worker_shutting_down.lock:  # the first handler, looking its receivers up
                worker_shutting_down.send(sender="test@host", sig="SIGTERM", how="Warm")
            done.set()

        try:
            threading.Thread(target=nested, daemon=True).start()
            assert done.wait(5), "the second send waited on the first's lock"
            assert calls == ["SIGTERM"]
        finally:
            worker_shutting_down.disconnect(receiver)


class TestStructuredOutput:
    def test_every_line_of_the_process_and_its_children_is_one_json_object(self) -> None:
        """Prints, raw writes, multi-line warnings and a forked child's output all arrive as
        single JSON lines on stderr, redacted; nothing is written to stdout."""
        proc = python(
            """
            import os, sys, warnings
            import structlog
            from alerts.logs import configure_logging, structured_output
            configure_logging(fmt="json")
            with structured_output():
                print("a banner line\\n\\n   second line")
                sys.stderr.write("raw https://hooks.slack.com/services/T0/B0/hidden\\n")
                warnings.warn("You are root:\\nthis is\\nnot recommended")
                structlog.get_logger().info("from.logger", n=1)
                child = os.fork()
                if child == 0:
                    os.write(1, b"child raw write\\n")
                    structlog.get_logger().info("child.logged")
                    os._exit(0)
                os.waitpid(child, 0)
                os.write(2, b"no newline at the end")
            print("after")
            """
        )
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr
        assert stdout == "after\n"
        events = [json.loads(line) for line in stderr.splitlines()]
        assert all(isinstance(e, dict) for e in events)
        said = {e["event"] for e in events}
        assert {
            "a banner line",
            "second line",
            "raw https://hooks.slack.com/***",
            "from.logger",
            "child raw write",
            "child.logged",
            "no newline at the end",
        } <= said
        [warning] = [e for e in events if e.get("logger") == "py.warnings"]
        assert "You are root:\nthis is\nnot recommended" in warning["event"]
        assert "hidden" not in stderr


class TestRunReadiness:
    def test_readyz_names_the_dead_component(self) -> None:
        """While the worker finishes its tasks, /readyz already says which component is gone."""
        inner = FastAPI()

        @inner.get("/readyz")
        def readyz() -> dict[str, str]:
            return {"status": "ready"}

        @inner.get("/api/events")
        def events() -> list[str]:
            return []

        supervisor = Supervisor(on_failure=lambda: None, grace_s=0)
        with http_client(RunReadiness(inner, supervisor)) as client:
            assert client.get("/readyz").json() == {"status": "ready"}
            supervisor.watch("beat", lambda: "exited with status 1: FileNotFoundError: x")
            supervisor.check_once()
            answer = client.get("/readyz")
            assert answer.status_code == 503
            body = answer.json()
            assert (body["status"], body["failed"]) == ("not ready", ["beat"])
            assert "FileNotFoundError" in body["checks"]["beat"]["detail"]
            assert client.get("/api/events").json() == []


def _fill(client: redis.Redis, *, kilobytes: int) -> None:
    for n in range(kilobytes):
        client.set(f"seen:{n}", "x" * 1024)


class TestEmbeddedRedis:
    def test_full_redis_refuses_writes_and_evicts_nothing(self, tmp_path: Path) -> None:
        """maxmemory with noeviction: a runaway source gets errors, the broker keeps its data."""
        server = start_embedded(tmp_path, appendonly=False, maxmemory="3mb")
        client = redis.Redis.from_url(server.url)
        try:
            assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
            assert client.config_get("maxmemory") == {"maxmemory": str(3 * 1024 * 1024)}
            client.lpush("deliver", "a broker message")
            with pytest.raises(redis.exceptions.OutOfMemoryError):
                _fill(client, kilobytes=10_000)
            assert client.lrange("deliver", 0, -1) == [b"a broker message"]
        finally:
            client.close()
            server.stop()

    def test_default_maxmemory(self, tmp_path: Path) -> None:
        server = start_embedded(tmp_path, appendonly=False)
        client = redis.Redis.from_url(server.url)
        try:
            assert client.config_get("maxmemory") == {"maxmemory": str(256 * 1024 * 1024)}
        finally:
            client.close()
            server.stop()

    def test_a_pid_file_naming_another_dirs_server_is_not_obeyed(self, tmp_path: Path) -> None:
        """A pid file is a hint, not a licence to kill: only a server on this dir's socket
        is taken for a leftover."""
        other = start_embedded(tmp_path / "other", appendonly=False)
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "redis.pid").write_text(str(other.process.pid))
        server = start_embedded(mine, appendonly=False)
        try:
            assert other.process.poll() is None
            assert redis.Redis.from_url(other.url).ping()
        finally:
            server.stop()
            other.stop()
