"""Benchmarks for `make bench` (`python -m tests.bench`): figures users feel, against the budgets."""
