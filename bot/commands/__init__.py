"""Every command module; each has `register(registry)`. A new module here reaches every platform."""

from __future__ import annotations

from bot.commands import announce, challenge, leaderboard, moderation, roadmap, stats
from bot.commands import help as help_commands
from bot.registry import Registry

MODULES = (roadmap, challenge, leaderboard, announce, moderation, stats, help_commands)


def build_registry() -> Registry:
    registry = Registry()
    for module in MODULES:
        module.register(registry)
    return registry
