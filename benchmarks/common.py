"""Shared machinery of the benchmarks: settings, results, interleaving, subprocesses, the table.

Every benchmark measures hedgekit ("ours") and a baseline in the same run on the same machine,
interleaved (A B A B ...), and reports the two medians and their ratio ``ours / baseline``. Absolute
times on shared machines are noise; the ratio is what is compared with the target.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "PYTHON",
    "REPO_ROOT",
    "Result",
    "Settings",
    "SimHost",
    "VenueInfo",
    "child_env",
    "describe_requests",
    "environment",
    "first_failure",
    "interleave",
    "interleave_async",
    "median",
    "print_table",
    "run_child",
    "selected_venues",
    "short_error",
    "write_json",
]

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the parent of ``benchmarks/``)."""
PYTHON = sys.executable
"""The interpreter children run with: the one running the benchmarks."""


@dataclass(frozen=True)
class Settings:
    """How much to measure, and where.

    Attributes:
        quick: A smoke pass: few repetitions, a whole run well under a minute.
        venues: Venues to measure; ``None`` means every registered venue.
    """

    quick: bool = False
    venues: tuple[str, ...] | None = None

    def reps(self, full: int, quick: int) -> int:
        """``quick`` repetitions in a smoke pass, else ``full``."""
        return quick if self.quick else full


def selected_venues(settings: Settings) -> list[str]:
    """Every registered venue (``hedgekit.available_venues()``), narrowed by ``--venues``."""
    import hedgekit

    names = hedgekit.available_venues()
    if settings.venues is not None:
        names = [n for n in names if n in settings.venues]
    return names


@dataclass
class Result:
    """One row of the table.

    Attributes:
        benchmark: The benchmark's short name (``import``, ``connect``, ...).
        name: What the row measures (includes the venue where there is one).
        ours: hedgekit's median, in ``unit``; ``None`` when it could not be measured.
        baseline: The baseline's median, in ``unit``; ``None`` when it could not be measured.
        unit: ``s`` (shown in ms), ``MB``, ``ops/s`` or ``RT``.
        target: The target as text, e.g. ``<= 1.30x``.
        limit: The ratio the target allows; ``None``: report only.
        higher_is_better: The target is a floor (``>=``) rather than a ceiling.
        conditions: Other conditions of the target (e.g. "ccxt not imported"), each met or not.
        notes: What a reader needs beside the figures (failures, request counts, choices).
        extra: Machine-readable details (samples, request lists, CPU per call ...).
        error: Why the row could not be measured.
    """

    benchmark: str
    name: str
    ours: float | None
    baseline: float | None
    unit: str
    target: str = ""
    limit: float | None = None
    higher_is_better: bool = False
    conditions: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        """``ours / baseline``, or ``None`` when either is missing."""
        if self.ours is None or self.baseline is None or self.baseline == 0:
            return None
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the target is met; ``None`` when there is no target or no ratio."""
        ratio = self.ratio
        if self.limit is None or ratio is None:
            return None if not self.conditions else all(self.conditions.values())
        ok = ratio >= self.limit if self.higher_is_better else ratio <= self.limit
        return ok and all(self.conditions.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, with ``ratio`` and ``met``."""
        out = asdict(self)
        out["ratio"] = self.ratio
        out["met"] = self.met
        return out


# ----------------------------------------------------------------------------- statistics

def median(values: Iterable[float]) -> float:
    """The median of ``values``; ``nan`` when there are none."""
    data = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(data) if data else math.nan


def interleave(runs: Sequence[tuple[str, Callable[[], T]]], reps: int) -> dict[str, list[T]]:
    """Run each of ``runs`` once per round, ``reps`` rounds (A B A B ...); collect results by name."""
    out: dict[str, list[T]] = {name: [] for name, _ in runs}
    for _ in range(reps):
        for name, fn in runs:
            out[name].append(fn())
    return out


async def interleave_async(
    runs: Sequence[tuple[str, Callable[[], Awaitable[T]]]], reps: int
) -> dict[str, list[T]]:
    """:func:`interleave` for coroutine functions."""
    out: dict[str, list[T]] = {name: [] for name, _ in runs}
    for _ in range(reps):
        for name, fn in runs:
            out[name].append(await fn())
    return out


# ----------------------------------------------------------------------------- subprocesses

def child_env() -> dict[str, str]:
    """The environment of a child process: this one, with the repository root importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONTRACEMALLOC", None)
    return env


def run_child(script: Path | str, args: Sequence[str] = (), *, timeout: float = 120.0) -> dict[str, Any]:
    """Run a child in a fresh interpreter; return the JSON object on its last stdout line.

    Args:
        script: A path (run by path, so the ``benchmarks`` package is not imported into the
            child), or a dotted module name (run with ``-m``).
        args: Its arguments.
        timeout: Seconds before the child is killed.

    Raises:
        RuntimeError: The child failed or printed no JSON; the message has its stderr tail.
    """
    target = [str(script)] if isinstance(script, Path) else ["-m", script]
    proc = subprocess.run(
        [PYTHON, *target, *args], capture_output=True, text=True, timeout=timeout,
        env=child_env(), cwd=str(REPO_ROOT),
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        name = script.name if isinstance(script, Path) else script
        raise RuntimeError(f"{name} exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


@dataclass(frozen=True)
class VenueInfo:
    """Where a simulated venue listens and the credentials it accepts."""

    name: str
    base_url: str
    credentials: dict[str, str]


class SimHost:
    """The simulated venues in a separate process (:mod:`benchmarks.simhost`).

    Example::

        with SimHost(["binance"], latency=0.05) as host:
            info = host.venues["binance"]
            ...
            print(host.count("binance"))

    Args:
        venues: Venues to start; one that fails to start is listed in :attr:`errors`.
        latency: Seconds the simulator waits before each answer.
        bare: Also start a bare aiohttp handler answering a fixed order JSON (:attr:`bare_url`).
        record: Log every request (needed by :meth:`count`, :meth:`log`, :meth:`params`);
            ``False`` runs the simulator exactly as users get it.
    """

    def __init__(
        self, venues: Sequence[str], *, latency: float = 0.0, bare: bool = False, record: bool = True
    ) -> None:
        self._args = ["--venues", ",".join(venues), "--latency", str(latency)]
        self._args += (["--bare"] if bare else []) + ([] if record else ["--no-log"])
        self._proc: subprocess.Popen[str] | None = None
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.venues: dict[str, VenueInfo] = {}
        self.errors: dict[str, str] = {}
        self.bare_url: str | None = None
        self.pid: int | None = None

    def __enter__(self) -> SimHost:
        self._proc = subprocess.Popen(
            [PYTHON, "-m", "benchmarks.simhost", *self._args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=child_env(), cwd=str(REPO_ROOT),
        )
        self.pid = self._proc.pid
        first = self._readline()
        self.venues = {
            name: VenueInfo(name, v["base_url"], dict(v["credentials"])) for name, v in first["venues"].items()
        }
        self.errors = dict(first.get("errors", {}))
        self.bare_url = first.get("bare")
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None and proc.poll() is None:
                proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                proc.stdin.flush()
                proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        self._stderr.close()

    def _readline(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._stderr.seek(0)
            raise RuntimeError(f"the simulator host died: {self._stderr.read()[-1500:]}")
        data: dict[str, Any] = json.loads(line)
        return data

    def command(self, op: str, **args: Any) -> dict[str, Any]:
        """Send one command and return the host's answer."""
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self._proc.stdin.flush()
        return self._readline()

    def count(self, venue: str) -> int:
        """Requests ``venue`` has received so far."""
        return int(self.command("count", venue=venue)["count"])

    def streams(self, venue: str) -> set[int]:
        """Ids of the private websockets ``venue`` holds open that receive position pushes."""
        return set(self.command("streams", venue=venue)["ids"])

    def log(self, venue: str, since: int = 0) -> list[list[Any]]:
        """Requests ``venue`` received from ``since``: ``[method, path, query, status, failed, body, time]``."""
        entries: list[list[Any]] = self.command("log", venue=venue, since=since)["entries"]
        return entries

    def params(self, venue: str, index: int) -> dict[str, Any]:
        """The parsed parameters (query and body) of request ``index`` of ``venue``."""
        params: dict[str, Any] = self.command("params", venue=venue, index=index)["params"]
        return params

    def set_latency(self, seconds: float) -> None:
        """Change the injected latency of every venue."""
        self.command("latency", value=seconds)

    def set_stubs(self, on: bool) -> None:
        """Serve (or not) the endpoints ccxt's default set-up needs and the simulator lacks."""
        self.command("stubs", value=on)

    def clear(self) -> None:
        """Forget every recorded request."""
        self.command("clear")


_AUTH_QUERY = ("signature=", "timestamp=", "nonce=", "user=", "signer=", "recvWindow=")


def describe_requests(entries: Sequence[Sequence[Any]]) -> list[str]:
    """``["GET /fapi/v1/exchangeInfo", ...]``, each with its query minus the signer's parameters."""
    out = []
    for method, path, query, *_ in entries:
        q = "&".join(p for p in str(query).split("&") if p and not p.startswith(_AUTH_QUERY))
        out.append(f"{method} {path}" + (f"?{q}" if q else ""))
    return out


def first_failure(entries: Sequence[Sequence[Any]]) -> str | None:
    """The first refused request of a log, as ``GET /path -> 404 body``; ``None`` if none failed."""
    for method, path, _query, status, failed, body, *_ in entries:
        if failed:
            return f"{method} {path} -> HTTP {status} {str(body)[:120]!r}"
    return None


def short_error(exc: BaseException) -> str:
    """``Type: message``, one line, at most 300 characters."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


# ----------------------------------------------------------------------------- output

def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "s":
        return f"{value * 1000:.2f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "ops/s":
        return f"{value:.0f}/s"
    if unit == "RT":
        return f"{value:.2f} RT"
    return f"{value:.4g} {unit}"


def print_table(results: Sequence[Result], *, file: Any = None) -> None:
    """Print the results as a table (name, ours, baseline, ratio, target, met?), then the notes."""
    out = file or sys.stdout
    header = ("benchmark", "ours (median)", "baseline (median)", "ratio", "target", "met?")
    rows = []
    for r in results:
        ratio = r.ratio
        met = r.met
        rows.append((
            r.name,
            _fmt(r.ours, r.unit),
            _fmt(r.baseline, r.unit),
            "-" if ratio is None else f"{ratio:.2f}x",
            r.target + "".join(f", {c}" for c in r.conditions),
            "ERROR" if r.error and ratio is None else ("-" if met is None else ("yes" if met else "NO")),
        ))
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line, file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)), file=out)
    noted = [r for r in results if r.notes or r.error or r.conditions]
    if noted:
        print("\nnotes:", file=out)
    for r in noted:
        print(f"  {r.name}:", file=out)
        if r.error:
            print(f"    error: {r.error}", file=out)
        for cond, ok in r.conditions.items():
            print(f"    {cond}: {'yes' if ok else 'NO'}", file=out)
        for note in r.notes:
            print(f"    - {note}", file=out)
    out.flush()


def environment() -> dict[str, Any]:
    """What the figures were measured on."""
    from importlib.metadata import version

    def ver(name: str) -> str | None:
        try:
            return version(name)
        except Exception:
            return None

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "hedgekit": ver("hedgekit"),
        "ccxt": ver("ccxt"),
        "aiohttp": ver("aiohttp"),
        "pydantic": ver("pydantic"),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: str | Path, results: Sequence[Result], meta: Mapping[str, Any]) -> None:
    """Write ``{"meta": ..., "results": [...]}`` to ``path``."""
    payload = {"meta": dict(meta), "results": [r.as_dict() for r in results]}
    Path(path).write_text(json.dumps(payload, indent=2, default=str) + "\n")
