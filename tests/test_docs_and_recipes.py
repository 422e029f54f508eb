"""The documentation builds with ``mkdocs build --strict`` (API reference from the docstrings,
recipes from examples/), and every recipe runs on every simulated venue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import VENUES, run_example

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_the_docs_build_strictly(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    client = (tmp_path / "site" / "reference" / "client" / "index.html").read_text()
    for name in ("set_position_mode", "open_long", "legs", "stream", "trailing_stop"):
        assert name in client, f"{name} missing from the API reference"
    recipes = (tmp_path / "site" / "recipes" / "index.html").read_text()
    assert "follow_holding" in recipes and "place_grid" in recipes  # the examples' own code is shown


@pytest.mark.parametrize("recipe", ["recipe_hedge_spot", "recipe_grid", "recipe_roll_trailing_stop"])
@pytest.mark.parametrize("name", VENUES)
async def test_recipe_runs_on_the_simulator(name: str, recipe: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = await run_example(f"{recipe}.py", name, monkeypatch, capsys)  # each recipe asserts what it shows
    assert out.strip()


def test_the_test_a_bot_recipe_passes_under_pytest() -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(EXAMPLES / "recipe_test_a_bot.py")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "5 passed" in run.stdout
