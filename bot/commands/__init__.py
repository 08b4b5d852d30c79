"""Every command module; each has `register(registry)`. A new module here reaches every platform."""

from __future__ import annotations

from bot.commands import help as help_commands
from bot.commands import roadmap
from bot.registry import Registry

MODULES = (roadmap, help_commands)


def build_registry() -> Registry:
    registry = Registry()
    for module in MODULES:
        module.register(registry)
    return registry
