"""Benchmarks (not tests): each prints a table with its figures next to a baseline run in
the same process, and `python -m bench` writes them all to bench/results.md."""
