"""studybot: a platform-neutral study-group bot for people learning backend development."""

__version__ = "0.1.0"
