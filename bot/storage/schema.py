"""The complete metadata: importing this module registers every table with the declarative base."""

from bot.storage import challenge_models, delivery_models, models, schedule_models  # noqa: F401  (registers tables)
from bot.storage.base import Base

metadata = Base.metadata
