"""`studybot scheduler` as a process of its own serves /healthz and /metrics on METRICS_PORT, as the others do."""

from __future__ import annotations

from pathlib import Path

from tests.ops.processes import StudybotProcess, clean_env, eventually, get_json, get_text

WAIT = 30.0


async def test_the_scheduler_process_reports_its_role_and_metrics(tmp_path: Path, unused_tcp_port: int) -> None:
    env = clean_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'scheduler.db'}",
        METRICS_PORT=str(unused_tcp_port),
        LOG_FORMAT="json",
    )
    process = await StudybotProcess("scheduler", ["scheduler"], env, tmp_path).start()
    base = f"http://127.0.0.1:{unused_tcp_port}"
    try:

        async def leading() -> dict | None:
            assert process.running, process.logs()
            answer = await get_json(f"{base}/healthz")
            return answer[1] if answer and answer[1].get("scheduler") == "leader" else None

        # On SQLite the single process leads; no platform connection is needed to schedule.
        health = await eventually(leading, "the scheduler to lead", WAIT)
        assert health == {"ok": True, "database": "ok", "scheduler": "leader", "platforms": {}}
        metrics = await get_text(f"{base}/metrics")
        assert "# TYPE studybot_scheduled_posts_total counter" in metrics
    finally:
        await process.stop()
