"""Prometheus metrics of one bot process: commands, latency, scheduled posts, platform errors."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Each bot gets its own registry, so tests and several bots in one process never share counters."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "studybot_commands", "Commands run, by command and outcome", ["command", "outcome"], registry=self.registry
        )
        self.latency = Histogram(
            "studybot_command_seconds",
            "Time to answer a command",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.scheduled_posts = Counter(
            "studybot_scheduled_posts",
            "Scheduled occurrences by kind and outcome (sent, failed, late, skipped)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.platform_errors = Counter(
            "studybot_platform_errors",
            "Errors from Discord or Slack, by platform and kind",
            ["platform", "kind"],
            registry=self.registry,
        )

    def command(self, name: str, outcome: str, seconds: float) -> None:
        self.commands.labels(name, outcome).inc()
        self.latency.labels(name).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
