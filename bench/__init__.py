"""Benchmarks, each a module run from the repository root: ``python -m bench.<name>``.

``bench._common`` holds the statistics, the machine description and fresh databases;
``bench._bot`` the bare discord.py baseline and the real bot on a fresh database, wired to
the sandbox by ``sandbox.harness`` (the e2e tests' harness too). Figures go into
docs/benchmarks.md.
"""
