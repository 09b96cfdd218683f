"""Command line: ``python -m bot run | console | sync | db ... | content check``."""

from __future__ import annotations

import argparse
import sys

from bot.content.loader import read_content


def _content_check() -> int:
    raw = read_content()
    for problem in raw.problems:
        print(problem)
    if raw.problems:
        print(f"{len(raw.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"content ok: {len(raw.skills)} skills, {len(raw.questions)} questions, "
        f"{len(raw.challenges)} challenges"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Backend Mentor")
    sub = parser.add_subparsers(dest="command", required=True)
    content = sub.add_parser("content", help="content tools")
    content.add_argument("action", choices=["check"])
    args = parser.parse_args(argv)
    if args.command == "content":
        return _content_check()
    return 2


if __name__ == "__main__":
    sys.exit(main())
