"""The `alerts` console entry point: run | worker | beat, plus alerts.cli's Celery-free commands.

A bad setting stops any command with one line naming the variable, and exit status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click
import structlog
from celery.signals import worker_shutting_down

from alerts.bootstrap import secret_values, sources_from
from alerts.cli import COMMANDS, dlq
from alerts.config import Settings, load_settings
from alerts.embedded import EmbeddedRedis, start_embedded
from alerts.errors import ConfigError
from alerts.logs import configure_logging

log = structlog.get_logger("alerts.cli")


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


@click.group()
def cli() -> None:
    """missile-alerts: one alert per ballistic missile launch, from news feeds."""


@cli.command()
def run() -> None:
    """Worker and beat in one process; starts an embedded Redis when ALERTS_REDIS_URL is unset."""
    settings = _prepare(need_redis_url=False)
    embedded: EmbeddedRedis | None = None
    url = settings.redis_url
    if not url:
        embedded = start_embedded(settings.data_dir)
        url = embedded.url
        log.info(
            "redis.embedded.started",
            binary=embedded.binary,
            data_dir=str(embedded.data_dir),
            pid=embedded.process.pid,
        )
    requested: list[str] = []

    def on_shutdown(sig: str = "", how: str = "", **_: object) -> None:
        requested.append(f"{how}:{sig}")

    worker_shutting_down.connect(on_shutdown, weak=False)
    web = None
    try:
        app = _configure_app(settings, url)
        web = _start_web(settings, url)
        worker = app.Worker(
            beat=True,
            pool_cls=settings.worker_pool,
            queues=["poll", "deliver"],
            loglevel=settings.log_level,
            concurrency=settings.worker_concurrency,
        )
        worker.start()
        # Ctrl-C is how `alerts run` is stopped: a warm shutdown on SIGINT is a clean exit
        # (Celery itself reports it as EX_FAILURE).
        code = 0 if requested == ["Warm:SIGINT"] else (worker.exitcode or 0)
    finally:
        if web is not None:
            web.stop()
        if embedded is not None:
            embedded.stop()
            log.info("redis.embedded.stopped", data_dir=str(embedded.data_dir))
    sys.exit(code)


@cli.command()
@click.option("--queues", default="poll,deliver", show_default=True, help="Queues to consume.")
def worker(queues: str) -> None:
    """A Celery worker (needs ALERTS_REDIS_URL), as docker-compose runs it."""
    settings = _prepare(need_redis_url=True)
    app = _configure_app(settings, str(settings.redis_url))
    w = app.Worker(
        pool_cls=settings.worker_pool,
        queues=queues.split(","),
        loglevel=settings.log_level,
        concurrency=settings.worker_concurrency,
    )
    w.start()
    sys.exit(w.exitcode or 0)


@cli.command()
def beat() -> None:
    """The Celery beat scheduler (needs ALERTS_REDIS_URL); run exactly one."""
    settings = _prepare(need_redis_url=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = _configure_app(settings, str(settings.redis_url))
    app.Beat(loglevel=settings.log_level, max_interval=1.0).run()


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
    except click.exceptions.Abort:
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
    app = _web_app(settings, rt, url)
    log.info("web.starting", host=host, port=port, token_required=settings.web_token is not None)
    if settings.web_token is None and host not in {"127.0.0.1", "localhost", "::1"}:
        log.warning("web.open_without_token", host=host, hint="set ALERTS_WEB_TOKEN")
    try:
        serve_forever(app, host=host, port=port)
    finally:
        rt.close()


def _web_app(settings: Settings, rt: Any, redis_url: str) -> Any:
    """The ASGI app over this Runtime: deliveries enqueued through Celery, metrics from Redis."""
    from alerts.metrics import render_metrics
    from alerts.web import create_app

    celery_app = _configure_app(settings, redis_url)

    def enqueue_delivery(alert_key: str, destination_id: str) -> None:
        celery_app.send_task("alerts.deliver", args=(alert_key, destination_id), queue="deliver")

    token = settings.web_token.get_secret_value() if settings.web_token else None
    return create_app(
        rt, token=token, enqueue_delivery=enqueue_delivery,
        metrics_text=lambda: render_metrics(rt.redis, keys=rt.events.keys),
    )  # fmt: skip


def _start_web(settings: Settings, redis_url: str) -> Any:
    """The web service beside `alerts run`'s worker, on a thread; stopped by the caller."""
    from alerts.bootstrap import build_runtime
    from alerts.web.server import serve_in_background

    rt = build_runtime(settings, redis_url=redis_url)
    try:
        server = serve_in_background(
            _web_app(settings, rt, redis_url), host=settings.web_host, port=settings.web_port
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {settings.web_host}:{settings.web_port} ({exc.strerror})",
            variable="ALERTS_WEB_PORT",
        ) from None
    log.info("web.started", url=server.url, token_required=settings.web_token is not None)
    return server
