"""The bot never imports the sandbox: only the console command reaches it, lazily."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.config import PROJECT_ROOT

# Every module of the bot and every cog, imported in a fresh interpreter; prints the names of
# any sandbox modules that came along.
IMPORT_EVERYTHING = """
import json, pkgutil, sys
import bot, bot.app, bot.runner, cogs

for package in (bot, cogs):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if module.name != "bot.__main__":
            __import__(module.name)
for extension in bot.app.discover_cogs():
    __import__(extension)
loaded = sorted(sys.modules)
print(json.dumps({
    "sandbox": [m for m in loaded if m == "sandbox" or m.startswith("sandbox.")],
    "cogs": [m for m in loaded if m.startswith("cogs.")],
}))
"""

# The console command where the sandbox is not installed (as in the Docker image).
CONSOLE_WITHOUT_SANDBOX = """
import sys

class NoSandbox:
    def find_spec(self, name, path=None, target=None):
        if name == "sandbox" or name.startswith("sandbox."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoSandbox())
from bot.__main__ import main
sys.exit(main(["console"]))
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_bot_and_every_cog_import_without_the_sandbox() -> None:
    done = _python(IMPORT_EVERYTHING)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert "cogs.quiz" in loaded["cogs"]  # the walk really reached the extensions
    assert loaded["sandbox"] == []


def test_the_console_says_clearly_when_the_sandbox_is_not_installed() -> None:
    done = _python(CONSOLE_WITHOUT_SANDBOX)
    assert done.returncode == 2
    assert "sandbox console is not installed here" in done.stderr
    assert "Traceback" not in done.stderr
