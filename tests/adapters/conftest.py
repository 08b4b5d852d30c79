"""Fixtures of the adapter tests."""

from tests.adapters.discord_support import discord, discord_server

__all__ = ["discord", "discord_server"]
