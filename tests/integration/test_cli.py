"""`alerts classify` and `alerts replay` on JSON Lines files, as operators run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from alerts.embedded import EmbeddedRedis

T0 = "2026-11-25T00:10:00+00:00"


def alerts(*args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTS_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


LAUNCH_STREAM = jsonl(
    {
        "id": "ir-1",
        "title": "Iran fires ballistic missiles at Israel, IDF says",
        "published": "2026-11-25T02:00:00+00:00",
    },
    {
        "id": "kp-2",
        "title": "北朝鮮が弾道ミサイル発射 防衛省",
        "lang": "ja",
        "published": "2026-11-25T00:12:00+00:00",
    },
    {
        "id": "kp-1",
        "title": "N. Korea fires ballistic missile into East Sea: JCS",
        "published": T0,
        "url": "https://wire.example/kp-1",
    },
    {
        "id": "drill-1",
        "title": "South Korea, US hold joint missile defence drill",
        "published": "2026-11-25T00:30:00+00:00",
    },
    {
        "id": "kp-3",
        "title": "(LEAD) N. Korea fires ballistic missile toward East Sea, JCS says",
        "published": "2026-11-25T00:20:00+00:00",
    },
)


class TestClassify:
    def test_one_verdict_per_line_in_order(self, tmp_path: Path) -> None:
        """Each input line gets one JSON verdict with id, is_launch, confidence and facts."""
        src = tmp_path / "items.jsonl"
        src.write_text(LAUNCH_STREAM, encoding="utf-8")
        proc = alerts("classify", str(src), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        out = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [o["id"] for o in out] == ["ir-1", "kp-2", "kp-1", "drill-1", "kp-3"]
        assert [o["is_launch"] for o in out] == [True, True, True, False, True]
        assert all(0 <= o["confidence"] <= 1 for o in out)
        assert out[2]["facts"]["country"] == "KP"
        assert out[0]["facts"]["country"] == "IR"

    def test_reads_stdin_and_reports_bad_lines(self, tmp_path: Path) -> None:
        """A malformed line yields an error record in its place and exit status 1."""
        stdin = jsonl({"title": "N. Korea fires ballistic missile"}) + "{oops\n"
        proc = alerts("classify", "-", stdin=stdin, cwd=tmp_path)
        assert proc.returncode == 1
        first, second = (json.loads(line) for line in proc.stdout.splitlines())
        assert first["id"] == "line-1"
        assert first["is_launch"] is True
        assert "line 2" in second["error"]


class TestReplay:
    def test_one_new_alert_per_launch(self, tmp_path: Path, redis_server: EmbeddedRedis) -> None:
        """Two launches give two `new` alerts; Japan's confirmation of the first is an update."""
        client = redis.Redis.from_url(redis_server.url)
        client.flushall()
        client.set("alerts:v1:unrelated", "live data")
        src = tmp_path / "stream.jsonl"
        src.write_text(LAUNCH_STREAM, encoding="utf-8")
        proc = alerts("replay", str(src), env={"ALERTS_REDIS_URL": redis_server.url}, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        out = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [(o["kind"], o["item_ids"], o["facts"]["country"]) for o in out] == [
            ("new", ["kp-1"], "KP"),
            ("update", ["kp-1", "kp-2"], "KP"),
            ("new", ["ir-1"], "IR"),
        ]
        assert out[0]["url"] == "https://wire.example/kp-1"
        assert out[1]["event_id"] == out[0]["event_id"]
        assert (out[1]["revision"], out[1]["trigger_item_id"]) == (2, "kp-2")
        assert out[2]["event_id"] != out[0]["event_id"]
        assert [k.decode() for k in client.keys("*")] == ["alerts:v1:unrelated"]
        client.close()

    def test_runs_on_embedded_redis_when_no_url(self, tmp_path: Path) -> None:
        """Without ALERTS_REDIS_URL, replay brings up its own throw-away Redis."""
        proc = alerts("replay", "-", stdin=LAUNCH_STREAM, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert [json.loads(line)["kind"] for line in proc.stdout.splitlines()] == [
            "new",
            "update",
            "new",
        ]


class TestHealth:
    def test_fails_until_heartbeats_arrive(
        self, tmp_path: Path, redis_server: EmbeddedRedis
    ) -> None:
        """Healthy only when Redis answers and the beat was seen within the allowed age."""
        import time

        client = redis.Redis.from_url(redis_server.url)
        client.flushall()
        env = {"ALERTS_REDIS_URL": redis_server.url}
        stale = alerts("health", "--role", "beat", env=env, cwd=tmp_path)
        assert stale.returncode == 1
        assert json.loads(stale.stdout) == {"redis": True, "beat": False}
        client.set("alerts:v1:heartbeat:beat", time.time())
        fresh = alerts("health", "--role", "beat", env=env, cwd=tmp_path)
        assert fresh.returncode == 0, fresh.stdout
        client.close()

    @pytest.mark.parametrize(("role", "other"), [("deliver", "worker"), ("worker", "deliver")])
    def test_a_per_host_role_reads_only_its_own_heartbeat_of_this_host(
        self, tmp_path: Path, redis_server: EmbeddedRedis, role: str, other: str
    ) -> None:
        """`--role worker` reads this host's polling heartbeat, `--role deliver` its delivery
        worker's (a delivery worker has no task to beat from while no launch comes: its own
        timer writes heartbeat:deliver:<host>); the other role's key, or another host's, does
        not count."""
        import socket
        import time

        client = redis.Redis.from_url(redis_server.url)
        client.flushall()
        env = {"ALERTS_REDIS_URL": redis_server.url}
        client.set(f"alerts:v1:heartbeat:{other}:" + socket.gethostname(), time.time())
        client.set(f"alerts:v1:heartbeat:{role}:some-other-host", time.time())
        stale = alerts("health", "--role", role, env=env, cwd=tmp_path)
        assert stale.returncode == 1
        assert json.loads(stale.stdout) == {"redis": True, role: False}
        client.set(f"alerts:v1:heartbeat:{role}:" + socket.gethostname(), time.time() - 5)
        fresh = alerts("health", "--role", role, env=env, cwd=tmp_path)
        assert fresh.returncode == 0, fresh.stdout
        assert json.loads(fresh.stdout) == {"redis": True, role: True}
        client.close()


class TestOperatorMessages:
    def test_sources_names_the_redis_it_tried_and_why(self, tmp_path: Path) -> None:
        """Not "set ALERTS_REDIS_URL" when it is set: the URL tried (password masked), the error."""
        import socket

        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"redis://:swordfish-pw@127.0.0.1:{port}/3"
        proc = alerts("sources", env={"ALERTS_REDIS_URL": url}, cwd=tmp_path)
        assert proc.returncode == 1
        assert f"redis://***@127.0.0.1:{port}/3" in proc.stderr
        assert "Connection refused" in proc.stderr
        assert "ALERTS_REDIS_URL" in proc.stderr
        assert "swordfish" not in proc.stderr

    def test_dlq_list_says_when_it_is_empty(
        self, tmp_path: Path, redis_server: EmbeddedRedis
    ) -> None:
        """On stderr, so stdout stays JSON Lines (none) for scripts."""
        redis.Redis.from_url(redis_server.url).flushall()
        proc = alerts("dlq", "list", env={"ALERTS_REDIS_URL": redis_server.url}, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.strip() == "the dead-letter list is empty"


class TestRunRefuses:
    def test_a_data_dir_in_use(self, tmp_path: Path) -> None:
        """One line naming the data dir and its owner, exit 2; the owner's files untouched."""
        from alerts.embedded import own_data_dir

        data_dir = tmp_path / "data"
        lock = own_data_dir(data_dir)
        (data_dir / "redis.pid").write_text(str(os.getpid()))
        try:
            proc = alerts("run", env={"ALERTS_DATA_DIR": str(data_dir)}, cwd=tmp_path)
        finally:
            lock.release()
        assert proc.returncode == 2
        assert proc.stderr.splitlines() == [
            f"alerts: the data dir {data_dir.resolve()} is in use by PID {os.getpid()}"
        ]
        assert (data_dir / "redis.pid").read_text() == str(os.getpid())
        assert not (data_dir / "redis.sock").exists()

    def test_a_network_address_without_a_token(self, tmp_path: Path) -> None:
        env = {"ALERTS_WEB_HOST": "0.0.0.0", "ALERTS_DATA_DIR": str(tmp_path / "data")}  # noqa: S104
        proc = alerts("run", env=env, cwd=tmp_path)
        assert proc.returncode == 2
        [line] = proc.stderr.splitlines()
        assert "ALERTS_WEB_TOKEN" in line
        assert not (tmp_path / "data").exists()
