"""The benchmarks run (a smoke pass: they report figures; speed is never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_pass_reports_ratios(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "import", "mode_switch", "--quick", "--venues", "binance",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "import: wall time" in run.stdout and "mode switch[binance]" in run.stdout
    rows = json.loads(out.read_text())["results"]
    assert rows and all(row.get("error") is None for row in rows), rows
    assert "ccxt not imported" in run.stdout
