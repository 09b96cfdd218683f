"""``python -m bench.leaderboard``: see the package's docstring."""

from bench.leaderboard.run import main

main()
