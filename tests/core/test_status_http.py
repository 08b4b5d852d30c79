from __future__ import annotations

import aiohttp

from bot.app import StudyBot
from bot.status_http import serve_status
from tests.driver import Chat


async def test_healthz_and_metrics(bot: StudyBot, chat: Chat, unused_tcp_port: int) -> None:
    await chat("/roadmap next")
    await chat("/roadmap nonsense")
    bot.health.platforms["discord"] = True
    runner = await serve_status(bot, unused_tcp_port, host="127.0.0.1")
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as response:
                assert response.status == 200
                body = await response.json()
            assert body == {"ok": True, "database": "ok", "scheduler": "off", "platforms": {"discord": "connected"}}
            bot.health.platforms["discord"] = False
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as response:
                assert response.status == 503
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics") as response:
                metrics = await response.text()
        assert 'studybot_commands_total{command="roadmap next",outcome="ok"} 1.0' in metrics
        assert 'studybot_command_seconds_count{command="roadmap next"} 1.0' in metrics
    finally:
        await runner.cleanup()
