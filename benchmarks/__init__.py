"""Reproducible scale benchmarks, run with `linkwork bench NAME [--size N] [--seed S]` (docs/benchmarks.md).

Each module named after a benchmark (`directory-search` -> `directory_search.py`) has
`run(*, size, seed, actor) -> dict`, which builds its own data and returns the one JSON object the
command prints.
"""
