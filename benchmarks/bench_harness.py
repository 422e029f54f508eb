"""#9 test harness: a bot test with hedgekit's pytest plugin against a test of a bare aiohttp.web server.

Ours: a pytest test using the plugin's ``hedge_client`` and ``simulated_venue`` (``@pytest.mark.hedgekit
(venue)``, the plugin's defaults): the fixtures start the venue and connect (market load), the test
switches to hedge mode, opens a long and a short, reads the legs, and the teardown closes the client
and stops the venue. Baseline: a pytest test whose fixture starts a bare ``aiohttp.web`` server on
127.0.0.1 (one catch-all handler answering ``{}``) and whose body sends, through one
``aiohttp.ClientSession``, the same number of requests, with the same methods, paths, query strings and
bodies as the bot test sent (recorded in a calibration pass in this process), one after another.

Both run in **one fresh pytest subprocess** on a temporary directory with no pytest configuration
at all (so the plugin must work without ``asyncio_mode``), their items interleaved (bot, baseline,
bot, ...) and the first round of each dropped (imports, first connections). A test's cost is what
pytest reports for it: the sum of its setup, call and teardown durations. The bot test checks that
it sent exactly the calibrated number of requests, so both sides always do the same wire work.
Target: <= 3x the baseline per venue.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
import textwrap
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, Result, Settings, child_env, median, selected_venues, short_error

NAME = "harness"
LIMIT = 3.0
SYMBOL = "BTC/USDT:USDT"

#: The bot test, run by the child (the plugin's fixtures, its defaults).
BOT_TEST = '''
import json, os
from decimal import Decimal

import pytest

from hedgekit import PositionMode

CALIBRATION = json.loads(open(os.environ["HK_BENCH_CALIBRATION"]).read())
ROUNDS = int(os.environ["HK_BENCH_ROUNDS"])
SYMBOL = "BTC/USDT:USDT"


@pytest.mark.parametrize("venue,round_", [
    pytest.param(v, r, marks=pytest.mark.hedgekit(v), id=f"{v}-{r}") for v in CALIBRATION for r in range(ROUNDS)
])
async def test_bot(hedge_client, simulated_venue, venue, round_):
    await hedge_client.set_position_mode(PositionMode.HEDGE)
    await hedge_client.open_long(SYMBOL, Decimal(CALIBRATION[venue]["size"]))
    await hedge_client.open_short(SYMBOL, Decimal(CALIBRATION[venue]["size"]))
    pair = await hedge_client.legs(SYMBOL)
    assert pair.long.size > 0 and pair.short.size > 0
    assert len(simulated_venue.requests) == len(CALIBRATION[venue]["requests"])
'''

#: The baseline test: a bare aiohttp.web server and the same requests.
BASELINE_TEST = '''
import json, os, socket

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

CALIBRATION = json.loads(open(os.environ["HK_BENCH_CALIBRATION"]).read())
ROUNDS = int(os.environ["HK_BENCH_ROUNDS"])


async def _answer(request):
    await request.read()
    return web.json_response({})


@pytest_asyncio.fixture
async def bare_server():
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _answer)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.mark.asyncio
@pytest.mark.parametrize("venue,round_", [
    pytest.param(v, r, id=f"{v}-{r}") for v in CALIBRATION for r in range(ROUNDS)
])
async def test_baseline(bare_server, venue, round_):
    async with aiohttp.ClientSession() as session:
        for method, path, query, body, content_type in CALIBRATION[venue]["requests"]:
            url = bare_server + path + (f"?{query}" if query else "")
            headers = {"Content-Type": content_type} if content_type else {}
            async with session.request(method, url, data=body or None, headers=headers) as response:
                await response.read()
                assert response.status == 200
'''

#: Interleaves the items and writes each test's setup + call + teardown time to a JSON file.
CONFTEST = '''
import json, os
from collections import defaultdict

_TIMES = defaultdict(float)
_FAILED = []


def pytest_collection_modifyitems(session, config, items):
    bots = [i for i in items if i.originalname == "test_bot"]
    bases = [i for i in items if i.originalname == "test_baseline"]
    items[:] = [x for pair in zip(bots, bases) for x in pair]


def pytest_runtest_logreport(report):
    _TIMES[report.nodeid] += report.duration
    if report.failed:
        _FAILED.append(f"{report.nodeid} {report.when}: {str(report.longrepr)[-600:]}")


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["HK_BENCH_OUT"], "w") as out:
        json.dump({"times": dict(_TIMES), "failed": _FAILED}, out)
'''


async def _calibrate(venue: str) -> dict[str, Any]:
    """Run the bot scenario once with the plugin's connect defaults; return the requests it sent."""
    import hedgekit
    from hedgekit import PositionMode
    from hedgekit.testing import SimulatedVenue

    quantity = Decimal("0.01")  # on every venue's lot and above its minimum
    async with SimulatedVenue(venue) as sim:
        client = hedgekit.connect(venue, base_url=sim.base_url, rate_limit=False, **sim.credentials)
        async with client as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            await hk.open_long(SYMBOL, quantity)
            await hk.open_short(SYMBOL, quantity)
            await hk.legs(SYMBOL)
        requests = [[r.method, r.path, r.query_string, r.body, r.content_type] for r in sim.requests]
    return {"size": str(quantity), "requests": requests}


def _run_child(workdir: Path, calibration: dict[str, Any], rounds: int) -> dict[str, Any]:
    (workdir / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (workdir / "test_bot.py").write_text(textwrap.dedent(BOT_TEST))
    (workdir / "test_baseline.py").write_text(textwrap.dedent(BASELINE_TEST))
    (workdir / "calibration.json").write_text(json.dumps(calibration))
    out = workdir / "times.json"
    env = child_env()
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    env.pop("PYTEST_ADDOPTS", None)
    env.update(HK_BENCH_CALIBRATION=str(workdir / "calibration.json"), HK_BENCH_ROUNDS=str(rounds),
               HK_BENCH_OUT=str(out))
    proc = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", str(workdir)],
        cwd=str(workdir), env=env, capture_output=True, text=True, timeout=600,
    )
    if not out.exists():
        raise RuntimeError(f"pytest exited {proc.returncode}: {(proc.stdout + proc.stderr)[-1500:]}")
    data: dict[str, Any] = json.loads(out.read_text())
    data["returncode"] = proc.returncode
    data["tail"] = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    return data


def run(settings: Settings) -> list[Result]:
    """One fresh pytest run: each venue's bot test against a bare-server test with its requests."""
    venues = selected_venues(settings)
    rounds = settings.reps(full=21, quick=4)
    target = f"<= {LIMIT:.2f}x"
    calibration: dict[str, Any] = {}
    results: list[Result] = []
    for venue in venues:
        try:
            calibration[venue] = asyncio.run(_calibrate(venue))
        except Exception as exc:
            results.append(Result(NAME, f"harness[{venue}]", None, None, "s", target, LIMIT,
                                  error=f"calibration failed: {short_error(exc)}"))
    if not calibration:
        return results
    with tempfile.TemporaryDirectory(prefix="hk-bench-harness-") as tmp:
        data = _run_child(Path(tmp), calibration, rounds)
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for nodeid, seconds in data["times"].items():
        kind = "bot" if "test_bot[" in nodeid else "baseline"
        venue, _, round_ = nodeid.rsplit("[", 1)[1].rstrip("]").rpartition("-")
        if int(round_) > 0:  # the first round of each pays the imports and first connections
            times[venue][kind].append(seconds)
    failed = data["failed"]
    for venue, info in calibration.items():
        name = f"harness[{venue}]"
        mine = [f for f in failed if f"[{venue}-" in f]
        if mine:
            results.append(Result(NAME, name, None, None, "s", target, LIMIT, error=mine[0][:300]))
            continue
        bot, base = times[venue]["bot"], times[venue]["baseline"]
        results.append(Result(
            NAME, name, median(bot), median(base), "s", target, LIMIT,
            notes=[f"{len(info['requests'])} requests per test; {len(bot)} tests each side after a warm-up "
                   "round, interleaved, in one pytest process without configuration"],
            extra={"bot": bot, "baseline": base, "requests": [f"{m} {p}" for m, p, *_ in info["requests"]]},
        ))
    return results
