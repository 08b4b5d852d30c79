"""Every command module; each has `register(registry)`. A new module here reaches every platform."""

from __future__ import annotations

from bot.commands import announce, challenge, leaderboard, meetup, moderation, privacy, roadmap, schedule, stats
from bot.commands import help as help_commands
from bot.registry import Registry

MODULES = (roadmap, challenge, leaderboard, announce, moderation, stats, schedule, meetup, privacy, help_commands)


def build_registry() -> Registry:
    registry = Registry()
    for module in MODULES:
        module.register(registry)
    return registry
