"""The `alerts` command: run | worker | beat | web, plus alerts.cli's Celery-free commands.

A bad setting stops any command with one line naming the variable, and exit status 2.

`alerts run` is the one-command mode. It owns its data directory (a second run there is refused
with the PID of the first), starts an embedded Redis unless ALERTS_REDIS_URL is set, the beat
and a delivery worker in child processes, the web service on a thread, and the polling worker
in the main thread. Polls and sends have workers of their own so that slow destinations never
hold up the next poll (a send holds a pool process for as long as its receiver takes). A
supervisor watches Redis, the beat, the delivery worker and the web service: one of them dying
stops the whole run with its error, and /readyz names it meanwhile. The kernel kills every
child if the run dies, however it dies. Off a terminal, every line it writes is one JSON object.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import celery
import click
import structlog
from celery.signals import worker_shutting_down
from celery.utils.nodenames import default_nodename, host_format
from celery.worker import state as worker_state

from alerts.bootstrap import secret_values, sources_from, subscriptions_from
from alerts.cli import COMMANDS, dlq
from alerts.config import Settings, load_settings
from alerts.embedded import (
    DataDirInUse,
    DataDirLock,
    EmbeddedRedis,
    forked_children_die_with_this_process,
    own_data_dir,
    start_embedded,
)
from alerts.errors import ConfigError
from alerts.logs import configure_logging, structured_output, uses_json
from alerts.redact import mask_url, redact_text
from workers.app import DELIVER_QUEUE, POLL_QUEUE

log = structlog.get_logger("alerts.cli")

EX_FAILURE = 1
BEAT_MAX_INTERVAL_S = 1.0
# How `alerts run` stops its beat. SIGINT and SIGTERM sent to the whole process group (Ctrl-C,
# `timeout`, systemd) are for the run, which stops the beat after its worker.
BEAT_STOP_SIGNAL = signal.SIGUSR1
# Held (blocked) from the fork until the beat's handlers are in place: a Ctrl-C in its first
# moments killed it, and the run then reported its beat dead.
BEAT_HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, BEAT_STOP_SIGNAL})
# The same for the delivery worker until it leads its own process group (Ctrl-C to the run's
# group then no longer reaches it) and ignores SIGINT.
DELIVERER_HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
# `alerts run`'s delivery worker: its own node name and process group (Ctrl-C is for the run,
# which stops it after the polling worker), a warm shutdown on SIGTERM, as long as a send may
# take to finish, then SIGKILL (a send cut short is sent again once its claim ends).
DELIVERER_NODE = "deliver@%h"
DELIVERER_STOP_S = 30.0
# A component found ended while no stop was asked for is a failure only this long after: under
# load, a SIGTERM sent to every process of the run may end Redis before the run's handler runs.
FAILURE_GRACE_S = 2.0
# A stop of the polling worker still going on this long after its longest poll could have
# ended is stuck: it is made a cold shutdown, and as long again later the run exits at once.
STOP_STUCK_MARGIN_S = 10.0
# `alerts beat` keeps no state: its one entry (workers/schedule.py) fires four times a second
# and every per-source time lives in Redis. Celery's default PersistentScheduler wrote a shelve
# file in the data dir, which two beats sharing a directory (one host, a shared volume) would
# both write, unlocked on this Python (dbm.dumb); in memory, a beat runs on any host, even a
# read-only one, and as many as wanted run at once. (`alerts run` locks its data dir, so its
# beat child keeps Celery's default.)
BEAT_SCHEDULER = "celery.beat:Scheduler"


def _prepare(*, need_redis_url: bool) -> Settings:
    settings = load_settings()
    configure_logging(
        level=settings.log_level, fmt=settings.log_format, secrets=secret_values(settings)
    )
    if need_redis_url and not settings.redis_url:
        raise ConfigError(
            "required for a separate worker or beat (`alerts run` embeds Redis itself)",
            variable="ALERTS_REDIS_URL",
        )
    return settings


def _configure_app(settings: Settings, redis_url: str) -> Any:
    from workers.app import configure

    os.environ["ALERTS_REDIS_URL"] = redis_url  # pool children build their Runtime from env
    sources = sources_from(settings)
    log.info("sources.configured", count=len(sources), names=[s.name for s in sources][:50])
    return configure(settings, redis_url=redis_url)


def _say_if_nowhere_to_deliver(settings: Settings) -> None:
    """Once at start-up: with no destination, launches are found but only logged."""
    if not any(s.destinations for s in subscriptions_from(settings)):
        log.warning(
            "destinations.none",
            consequence="no destination is configured: alerts will only be logged",
            hint="set ALERTS_SLACK_WEBHOOK_URLS, ALERTS_WEBHOOK_URLS, ALERTS_EMAIL_TO "
            "or ALERTS_SUBSCRIPTIONS, then check them with `alerts test-alert`",
        )


def _worker(app: Any, settings: Settings, queues: list[str], hostname: str | None = None) -> Any:
    """A Celery worker whose start-up banner is one log event instead of printed ASCII art.
    `hostname` is its node name (`group-a@%h`: %h, %n and %d expand as in `celery worker`).

    A worker that only sends runs ALERTS_DELIVER_CONCURRENCY threads: a send waits on its
    receiver, so threads fan an alert out to many destinations at once for a fraction of the
    memory of as many processes. Others use ALERTS_WORKER_POOL and ALERTS_WORKER_CONCURRENCY."""
    pool, concurrency = settings.worker_pool, settings.worker_concurrency
    if queues == [DELIVER_QUEUE]:
        pool, concurrency = "threads", settings.deliver_concurrency
    worker = app.Worker(
        hostname=host_format(default_nodename(hostname or "")),  # "": celery@<host name>
        pool_cls=pool,
        queues=queues,
        loglevel=settings.log_level,
        concurrency=concurrency,
        quiet=True,
    )
    log.info(
        "worker.starting",
        hostname=worker.hostname,
        celery=celery.__version__,
        broker=mask_url(str(app.conf.broker_url)),
        pool=pool,
        concurrency=concurrency,
        queues=queues,
        tasks=sorted(name for name in app.tasks if not name.startswith("celery.")),
    )
    return worker


def is_loopback(host: str) -> bool:
    """Only this machine can reach `host`: localhost or a loopback address."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refuse_open_web(settings: Settings) -> None:
    """`alerts run` serves the API and the replay button: never to the network without a token."""
    token = settings.web_token.get_secret_value() if settings.web_token else ""
    if not token and not is_loopback(settings.web_host):
        raise ConfigError(
            f"required when the web service listens on {settings.web_host}, which is not a "
            "loopback address (or set ALERTS_WEB_HOST=127.0.0.1)",
            variable="ALERTS_WEB_TOKEN",
        )


@click.group()
def cli() -> None:
    """missile-alerts: one alert per ballistic missile launch, from news feeds."""


@cli.command()
def run() -> None:
    """Polling and delivery workers, beat and web in one command; embeds Redis when
    ALERTS_REDIS_URL is unset."""
    settings = _prepare(need_redis_url=False)
    _refuse_open_web(settings)
    lock = _own_data_dir(settings)  # held until this process ends, however it ends
    forked_children_die_with_this_process()
    signal.signal(signal.SIGTERM, _exit_on_signal)  # until Celery installs its own handler
    with structured_output(enabled=uses_json(settings.log_format)):
        try:
            code = _run_components(settings)
        except (ConfigError, DataDirInUse):
            raise
        except Exception as exc:
            log.error("run.failed", error=redact_text(f"{type(exc).__name__}: {exc}"),
                      exc_info=True)  # fmt: skip
            code = EX_FAILURE
    lock.release()
    sys.exit(code)


def _own_data_dir(settings: Settings) -> DataDirLock:
    try:
        return own_data_dir(settings.data_dir)
    except OSError as exc:
        raise ConfigError(
            f"cannot use {settings.data_dir.resolve()} ({exc.strerror or exc})",
            variable="ALERTS_DATA_DIR",
        ) from None


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _exit_cleanly(_signum: int, _frame: object) -> None:
    """Before a worker consumes anything there is nothing to finish: exit at once. (Raised,
    SystemExit is lost if the signal lands in a weakref callback or a __del__: the worker
    then started anyway and was SIGKILLed 10 s later, 2 runs in 40 stopped 20-120 ms in.)"""
    os._exit(0)


def reentrant_shutdown_signal() -> None:
    """Celery sends `worker_shutting_down` from its stop-signal handler and looks its receivers
    up under a plain Lock: a second stop signal landing while the first handler holds it ran
    the handler again, in the same thread, which waited on that Lock forever. The run hung
    unsignalled (its deliverer never asked to stop, its stuck-stop escalation never started;
    a CI run's two SIGTERMs 1 ms apart). A re-entrant lock lets the second send go through."""
    sent: Any = worker_shutting_down  # `lock` is not in Celery's stubs
    if not isinstance(sent.lock, type(threading.RLock())):
        sent.lock = threading.RLock()


def _run_components(settings: Settings) -> int:
    """Start Redis (embedded), beat, the delivery worker, web and the polling worker; return the
    run's exit status."""
    requested: list[str] = []
    stop_with_worker: list[ChildProcess] = []  # the delivery worker (the beat stops after)
    supervisor = Supervisor(
        on_failure=_stop_worker,
        on_stuck=lambda stage: _end_stuck_stop(stage, supervisor),
        stuck_after_s=settings.fetch_timeout_seconds + STOP_STUCK_MARGIN_S,
    )

    def on_shutdown(sig: str = "", how: str = "", **_: object) -> None:
        """A stop was asked for: children exiting now are no failure (a SIGTERM to the whole
        group, as systemd sends, reaches them too), and the delivery worker starts finishing
        its sends while the polling worker does."""
        requested.append(f"{how}:{sig}")
        supervisor.stopping.set()
        for child in stop_with_worker:
            child.ask_to_stop()

    worker_shutting_down.connect(on_shutdown, weak=False)
    reentrant_shutdown_signal()
    with contextlib.ExitStack() as stack:
        url = settings.redis_url
        if not url:
            embedded = _start_embedded(settings)
            stack.callback(_stop_embedded, embedded)
            supervisor.watch("redis", functools.partial(_redis_failure, embedded))
            url = embedded.url
        app = _configure_app(settings, url)
        _say_if_nowhere_to_deliver(settings)
        beat = start_beat(app)  # forked before the web and supervisor threads exist
        stack.callback(beat.stop)
        supervisor.watch("beat", beat.failure)
        deliverer = start_deliverer(app, settings)  # so is this
        stop_with_worker.append(deliverer)
        stack.callback(deliverer.stop, DELIVERER_STOP_S)
        supervisor.watch("deliverer", deliverer.failure)
        web = _start_web(settings, url, app, supervisor)
        stack.callback(web.stop)
        supervisor.watch("web", lambda: None if web.thread.is_alive() else "the server stopped")
        worker = _worker(app, settings, [POLL_QUEUE])
        supervisor.start()
        stack.callback(supervisor.stop)  # unwound first: stopping the others is no failure
        worker.start()
        supervisor.stop()
    if supervisor.failures:
        component, error = next(iter(supervisor.failures.items()))
        log.error("run.stopped", component=component, error=error)
        return EX_FAILURE
    # Ctrl-C is how `alerts run` is stopped: a warm shutdown on SIGINT is a clean exit
    # (Celery itself reports it as EX_FAILURE).
    return 0 if requested == ["Warm:SIGINT"] else int(worker.exitcode or 0)


def _start_embedded(settings: Settings) -> EmbeddedRedis:
    maxmemory = settings.redis_maxmemory
    embedded = start_embedded(settings.data_dir, maxmemory=maxmemory)
    log.info(
        "redis.embedded.started",
        binary=embedded.binary,
        data_dir=str(embedded.data_dir),
        pid=embedded.process.pid,
        maxmemory=maxmemory,
    )
    return embedded


def _stop_embedded(embedded: EmbeddedRedis) -> None:
    embedded.stop()
    log.info("redis.embedded.stopped", data_dir=str(embedded.data_dir))


def _redis_failure(embedded: EmbeddedRedis) -> str | None:
    code = embedded.process.poll()
    if code is None:
        return None
    return f"the embedded Redis {_ended(code)}; see {embedded.data_dir / 'redis.log'}"


def _ended(exitcode: int | None) -> str:
    """How a child process ended, in words: `exited with status 1`, `was killed by SIGKILL`."""
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-exitcode).name}"
    return f"exited with status {exitcode}"


def _stop_worker() -> None:
    """Ask the worker in the main thread for a warm shutdown, as its own signal handlers do."""
    worker_state.should_stop = EX_FAILURE  # type: ignore[assignment] # stubs say None only


def _end_stuck_stop(stage: int, supervisor: Supervisor) -> None:
    """A warm shutdown of the polling worker that does not end (its broker gone, a pool child
    lost) becomes a cold one; should that hang too, the process exits at once: the kernel ends
    its children (PR_SET_PDEATHSIG) and releases the data dir, and a send cut short is sent
    again once its claim ends."""
    failed = bool(supervisor.failures)
    if stage == 1:
        log.warning("run.stop.slow", action="cold shutdown")
        stopping = worker_state.should_stop
        worker_state.should_terminate = EX_FAILURE if failed or stopping is None else stopping  # type: ignore[assignment]
        return
    log.error("run.stop.stuck", action="exit now")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EX_FAILURE if failed else 0)


class Supervisor:
    """Watches the components of `alerts run` that live beside its worker.

    Each check returns None while its component is fine, else why it stopped. A component found
    ended is a failure only if no stop was asked for within `grace_s`: a SIGTERM sent to every
    process at once (systemd, `pkill`) may end Redis before the run's own handler has run. The
    first failure of each is logged, kept in `failures` (for /readyz) and calls `on_failure`,
    which stops the run: a run that cannot poll or cannot serve must not look healthy.

    Once a stop is under way (asked for, or after a failure), a stop still going on after
    `stuck_after_s` calls `on_stuck(1)`, and after twice that `on_stuck(2)`: a warm shutdown
    can hang with its broker gone, and a run that will not stop is as bad as one that died.
    """

    def __init__(
        self,
        on_failure: Callable[[], None],
        interval_s: float = 0.2,
        *,
        grace_s: float = FAILURE_GRACE_S,
        on_stuck: Callable[[int], None] | None = None,
        stuck_after_s: float = 30.0,
    ) -> None:
        self.failures: dict[str, str] = {}
        self.stopping = threading.Event()  # a stop was asked for: components may end now
        self._checks: dict[str, Callable[[], str | None]] = {}
        self._on_failure = on_failure
        self._interval_s = interval_s
        self._grace_s = grace_s
        self._ended_at: dict[str, float] = {}  # components found ended, not failures yet
        self._on_stuck = on_stuck
        self._stuck_after_s = stuck_after_s
        self._stop_began: float | None = None
        self._escalations = 0
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, component: str, check: Callable[[], str | None]) -> None:
        self._checks[component] = check

    def check_once(self) -> None:
        for component, check in self._checks.items():
            if self.stopping.is_set():  # set by a signal handler at any moment
                return
            if component in self.failures:
                continue
            try:
                why = check()
            except Exception as exc:  # a check that cannot tell counts as a failure
                why = f"cannot check it: {type(exc).__name__}: {exc}"
            if why is None:
                continue
            ended_at = self._ended_at.setdefault(component, time.monotonic())
            if time.monotonic() - ended_at < self._grace_s:
                continue  # a stop signal may be on its way to the run too
            self.failures[component] = why
            log.error("run.component.failed", component=component, error=why)
            self._on_failure()

    def escalate_if_stuck(self) -> None:
        """Calls `on_stuck` with the next stage once a stop has lasted too long."""
        if self._on_stuck is None or not (self.stopping.is_set() or self.failures):
            return
        now = time.monotonic()
        if self._stop_began is None:
            self._stop_began = now
        stage = int((now - self._stop_began) // self._stuck_after_s)
        if stage > self._escalations and self._escalations < 2:
            self._escalations += 1
            self._on_stuck(self._escalations)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="alerts-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval_s):
            self.check_once()
            self.escalate_if_stuck()


@dataclass
class ChildProcess:
    """A component of `alerts run` in a child process it supervises, the beat or the delivery
    worker (Celery's embedded beat outlived a SIGKILLed parent and died unseen): its error is
    logged and reaches the parent."""

    process: BaseProcess
    errors: Connection
    stop_signal: signal.Signals
    own_group: bool = False  # leads a process group: SIGKILL reaches its own children too
    _failure: str | None = field(default=None, init=False)

    def failure(self) -> str | None:
        if self._failure is None and not self.process.is_alive():
            why = _ended(self.process.exitcode)
            with contextlib.suppress(EOFError, OSError):
                if self.errors.poll():
                    why += f": {self.errors.recv()}"
            self._failure = why
        return self._failure

    def ask_to_stop(self) -> None:
        """Its stop signal: the beat saves its schedule, the delivery worker finishes its sends."""
        if self.process.is_alive() and self.process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, self.stop_signal)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Its stop signal, then SIGKILL if it lingers (or if the wait is cut short)."""
        try:
            self.ask_to_stop()
            self.process.join(timeout_s)
        finally:
            if self.process.is_alive():
                log.warning("run.component.killed", pid=self.process.pid, waited_s=timeout_s)
                self._kill()
            self.errors.close()

    def _kill(self) -> None:
        pid = self.process.pid
        try:
            if self.own_group and pid is not None:
                os.killpg(pid, signal.SIGKILL)
            else:
                self.process.kill()
        except ProcessLookupError:  # no group of its own yet (killed before it made one)
            self.process.kill()
        self.process.join()


def start_beat(app: Any) -> ChildProcess:
    with _held(BEAT_HELD_SIGNALS):  # the child is born with them blocked (fork keeps the mask)
        child = _fork("alerts-beat", _beat_main, app, stop_signal=BEAT_STOP_SIGNAL)
    log.info("beat.started", pid=child.process.pid)
    return child


def start_deliverer(app: Any, settings: Settings) -> ChildProcess:
    with _held(DELIVERER_HELD_SIGNALS):
        child = _fork("alerts-deliverer", _deliverer_main, app, settings,
                      stop_signal=signal.SIGTERM, own_group=True)  # fmt: skip
    log.info("deliverer.started", pid=child.process.pid)
    return child


@contextlib.contextmanager
def _held(signals: frozenset[signal.Signals]) -> Iterator[None]:
    """Block `signals` in this thread for the block's length; any that arrive are delivered
    when it ends."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _fork(
    name: str,
    target: Callable[..., None],
    *args: Any,
    stop_signal: signal.Signals,
    own_group: bool = False,
) -> ChildProcess:
    """Daemonic: should the run end without stopping it, multiprocessing terminates it instead
    of waiting (Celery's prefork pool in the delivery worker is billiard's, which a daemonic
    parent may start); the kernel kills it if the run dies (forked_children_die_with_this_
    process), and its own children with it."""
    context = multiprocessing.get_context("fork")
    errors_out, errors_in = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, errors_in), name=name, daemon=True)
    process.start()
    errors_in.close()
    return ChildProcess(process, errors_out, stop_signal, own_group)


def _report_failure(what: str, exc: Exception, errors: Connection) -> None:
    """In a child: log its error and send it to the parent (the supervisor's reason)."""
    error = redact_text(f"{type(exc).__name__}: {exc}")
    log.error(f"{what}.failed", error=error, exc_info=True)
    with contextlib.suppress(OSError):
        errors.send(error)


def _beat_main(app: Any, errors: Connection) -> None:
    """The beat child, which only its parent stops (BEAT_STOP_SIGNAL; SIGKILL if the parent
    dies). An error is logged here and sent to the parent; exit status 1. It starts with
    BEAT_HELD_SIGNALS blocked (start_beat) and takes them once its handlers are in place."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop = BeatStop()
    signal.signal(BEAT_STOP_SIGNAL, stop)
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, BEAT_HELD_SIGNALS)
        from celery.beat import Service

        service = Service(app)
        if not stop.attach(service):
            return  # stopped before its loop began: no schedule to save yet
        service.start(embedded_process=True)  # max interval: beat_max_loop_interval
    except SystemExit:
        return  # stopped before its loop began: no schedule to save yet
    except Exception as exc:
        _report_failure("beat", exc, errors)
        sys.exit(EX_FAILURE)


class BeatStop:
    """The beat child's stop handler. Its SystemExit ends the beat's loop at once (Celery's
    Service then saves the schedule), but raised while a weakref callback or a `__del__` runs
    it is lost, and the beat went on until its parent's stop timed out and SIGKILLed it (the
    deliverer's same window: 2 stops in 40). So it also sets the Service's own shutdown flag
    (Celery's `_is_shutdown`, which `Service.stop` sets), which ends the loop within
    beat_max_loop_interval (1 s); a stop before the Service exists is kept for `attach`.

    It never logs. An earlier version called `Service.stop`, which logs before it sets the
    flag, and a clean-clone CI run's beat ran on after its stop (logging an error every tick,
    its Redis gone) until it was killed 30 s later: most likely the signal landed while the
    beat wrote a log line, the handler's own line was a reentrant write, and the logging
    handler swallowed its error before the flag was set or SystemExit raised."""

    def __init__(self) -> None:
        self.stopped = False
        self.service: Any = None

    def attach(self, service: Any) -> bool:
        """Hand the handler the Service; False if a stop came first (the beat should end)."""
        self.service = service
        return not self.stopped

    def __call__(self, signum: int, _frame: object) -> None:
        self.stopped = True
        flag = getattr(self.service, "_is_shutdown", None)
        if flag is not None:
            flag.set()  # the loop ends after its current sleep
        raise SystemExit(128 + signum)


def _deliverer_main(app: Any, settings: Settings, errors: Connection) -> None:
    """The delivery worker child: a Celery worker on the deliver queue alone, in a process
    group of its own so that Ctrl-C reaches only the run, which stops it (SIGTERM: a warm
    shutdown). Exit status: its worker's; 1 on an error, which is logged and sent up. It starts
    with DELIVERER_HELD_SIGNALS blocked (start_deliverer): a SIGTERM before its worker runs (the
    run stopping as it starts) ends it with status 0, as a warm shutdown of no work would."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Celery's worker sets its own when it starts
    # ...and its SIGTERM handler: until then a stop is a clean exit, whatever handler the
    # parent had (the run's raises SystemExit; a test's or another parent's would kill it)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, DELIVERER_HELD_SIGNALS)
        worker = _worker(app, settings, [DELIVER_QUEUE], DELIVERER_NODE)
    except SystemExit:
        return  # a SystemExit before its worker began (the deliverer's own exits at once)
    except Exception as exc:
        _report_failure("deliverer", exc, errors)
        sys.exit(EX_FAILURE)
    try:
        worker.start()
    except Exception as exc:
        _report_failure("deliverer", exc, errors)
        sys.exit(EX_FAILURE)
    sys.exit(int(worker.exitcode or 0))


@cli.command()
@click.option("--queues", default="poll,deliver", show_default=True, help="Queues to consume.")
@click.option(
    "--hostname", "-n", default=None,
    help="Node name, unique per worker (default celery@%h; %h is the host name).",
)  # fmt: skip
def worker(queues: str, hostname: str | None) -> None:
    """A Celery worker (needs ALERTS_REDIS_URL), as docker-compose runs it. Run as many as
    wanted, on as many hosts: they share the work through Redis (docs/ha.md)."""
    settings = _prepare(need_redis_url=True)
    with structured_output(enabled=uses_json(settings.log_format)):
        app = _configure_app(settings, str(settings.redis_url))
        _say_if_nowhere_to_deliver(settings)
        w = _worker(app, settings, queues.split(","), hostname)
        w.start()
    sys.exit(w.exitcode or 0)


@cli.command()
def beat() -> None:
    """The beat (needs ALERTS_REDIS_URL): it tells the workers to look at what is due, four
    times a second. Run two or more, on different hosts, for no single point of failure: every
    source's timing lives in Redis and is claimed atomically, so extra beats never make a
    source be polled twice (docs/ha.md). It keeps no local state."""
    settings = _prepare(need_redis_url=True)
    with structured_output(enabled=uses_json(settings.log_format)):
        app = _configure_app(settings, str(settings.redis_url))
        log.info("beat.starting", pid=os.getpid(), max_interval_s=BEAT_MAX_INTERVAL_S)
        app.Beat(
            loglevel=settings.log_level, max_interval=BEAT_MAX_INTERVAL_S, quiet=True,
            scheduler=BEAT_SCHEDULER,
        ).run()  # fmt: skip


for command in COMMANDS:
    cli.add_command(command)


@dlq.command("replay")
@click.argument("numbers", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
def dlq_replay(numbers: tuple[int, ...], replay_all: bool) -> None:
    """Send dead-lettered deliveries again (numbers as `alerts dlq list` shows them)."""
    from alerts.bootstrap import build_runtime
    from alerts.models import Delivery
    from workers.tasks import deliver

    settings = _prepare(need_redis_url=False)
    url = settings.redis_url or f"unix://{(settings.data_dir / 'redis.sock').resolve()}"
    _configure_app(settings, url)
    rt = build_runtime(settings, redis_url=url)
    letters = rt.deadletters.list()
    chosen = letters if replay_all else [letters[n - 1] for n in numbers if 0 < n <= len(letters)]
    if not chosen:
        raise click.ClickException(
            "nothing to replay: give numbers from `alerts dlq list`, or --all"
        )
    for letter in chosen:
        delivery = Delivery(letter.alert_key, letter.destination_id)
        rt.ledger.reopen(delivery)
        deliver.apply_async(args=(delivery.alert_key, delivery.destination_id), queue="deliver")
        rt.deadletters.remove(letter)
        click.echo(f"requeued {delivery.key}")
    rt.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point: ConfigError becomes one line on stderr and exit status 2."""
    _guard(lambda: cli.main(args=argv, prog_name="alerts", standalone_mode=False))


def _guard(call: Callable[[], object]) -> None:
    try:
        call()
    except ConfigError as err:
        click.echo(f"alerts: configuration error: {err}", err=True)
        sys.exit(2)
    except DataDirInUse as err:
        click.echo(f"alerts: {err}", err=True)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (ALERTS_WEB_HOST; 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (ALERTS_WEB_PORT; 8080).")
def web(host: str | None, port: int | None) -> None:
    """The dashboard and JSON API over the Redis of `alerts run` or of the workers."""
    from alerts.bootstrap import build_runtime
    from alerts.web.server import serve_forever

    settings = _prepare(need_redis_url=False)
    url = settings.redis_url or f"unix://{(settings.data_dir / 'redis.sock').resolve()}"
    host, port = host or settings.web_host, port or settings.web_port
    rt = build_runtime(settings, redis_url=url)
    app = _web_app(settings, rt, _configure_app(settings, url))
    log.info("web.starting", host=host, port=port, token_required=settings.web_token is not None)
    if settings.web_token is None and not is_loopback(host):
        log.warning("web.open_without_token", host=host, hint="set ALERTS_WEB_TOKEN")
    try:
        serve_forever(app, host=host, port=port)
    finally:
        rt.close()


def _web_app(settings: Settings, rt: Any, celery_app: Any) -> Any:
    """The ASGI app over this Runtime: deliveries enqueued through Celery, metrics from Redis."""
    from alerts.metrics import render_metrics
    from alerts.web import create_app

    def enqueue_delivery(alert_key: str, destination_id: str) -> None:
        celery_app.send_task("alerts.deliver", args=(alert_key, destination_id), queue="deliver")

    token = settings.web_token.get_secret_value() if settings.web_token else None
    return create_app(
        rt, token=token, enqueue_delivery=enqueue_delivery,
        metrics_text=lambda: render_metrics(rt.redis, keys=rt.events.keys),
    )  # fmt: skip


def _start_web(settings: Settings, redis_url: str, celery_app: Any, supervisor: Supervisor) -> Any:
    """The web service beside `alerts run`'s worker, on a thread; stopped by the caller."""
    from alerts.bootstrap import build_runtime
    from alerts.web.server import serve_in_background

    rt = build_runtime(settings, redis_url=redis_url)
    app = RunReadiness(_web_app(settings, rt, celery_app), supervisor)
    try:
        server = serve_in_background(app, host=settings.web_host, port=settings.web_port)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {settings.web_host}:{settings.web_port} ({exc.strerror})",
            variable="ALERTS_WEB_PORT",
        ) from None
    log.info("web.started", url=server.url, token_required=settings.web_token is not None)
    return server


class RunReadiness:
    """ASGI wrapper for the web app of `alerts run`: once a component of the run has failed,
    /readyz answers 503 naming it, while the worker finishes its tasks before the run ends."""

    def __init__(self, app: Any, supervisor: Supervisor) -> None:
        self.app, self.supervisor = app, supervisor

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        failures = dict(self.supervisor.failures)
        if failures and scope["type"] == "http" and scope["path"] == "/readyz":
            from starlette.responses import JSONResponse

            checks = {name: {"ok": False, "detail": why} for name, why in failures.items()}
            body = {"status": "not ready", "failed": list(failures), "checks": checks}
            await JSONResponse(body, status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)
