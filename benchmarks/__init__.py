"""Benchmarks: commands that print figures; results are recorded in docs/benchmarks.md."""
