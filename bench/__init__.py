"""Benchmarks of the core, its storage and its start-up; run with `python bench/run.py`. Not part of the tests."""
