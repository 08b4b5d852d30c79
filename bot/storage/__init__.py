"""Storage: one SQLAlchemy layer over SQLite (default) and PostgreSQL."""
