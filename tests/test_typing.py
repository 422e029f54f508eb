"""The public API is fully typed: mypy --strict over the core and every adapter package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_is_clean() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_py_typed_markers_ship() -> None:
    assert (ROOT / "hedgekit" / "py.typed").exists()
    for package in (ROOT / "adapters").iterdir():
        if package.is_dir() and package.name.startswith("hedgekit_"):
            assert (package / "py.typed").exists(), package
