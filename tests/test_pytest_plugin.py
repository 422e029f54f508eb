"""The pytest plugin's fixtures, used as a user's bot test would use them.

Most tests here write a user's test file into a fresh directory with ``pytester`` and run pytest on
it in a subprocess: that directory has no pytest configuration at all (no ``asyncio_mode``), as a
new user's project has none.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from hedgekit import HedgeClient, PositionMode
from hedgekit.testing import SimulatedVenue

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.hedgekit(venue="binance", mark_prices={"BTC/USDT:USDT": Decimal("50000")})
async def test_fixtures_give_a_venue_and_a_bound_client(hedge_client: HedgeClient, simulated_venue: SimulatedVenue) -> None:
    await hedge_client.set_position_mode(PositionMode.HEDGE)
    order = await hedge_client.open_short("BTC/USDT:USDT", Decimal("0.01"))
    assert order.average_price == Decimal("50000")
    assert simulated_venue.engine.leg("BTC/USDT:USDT", "SHORT").size == Decimal("0.01")


async def test_factories(make_simulated_venue, make_hedge_client) -> None:  # type: ignore[no-untyped-def]
    venue = await make_simulated_venue("binance")
    client = await make_hedge_client(venue)
    assert (await client.position_mode()).mode is PositionMode.ONE_WAY


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_a_bot_test_runs_without_any_asyncio_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from decimal import Decimal
        from hedgekit import PositionMode, PositionSide

        async def test_bot(hedge_client, simulated_venue):
            await hedge_client.set_position_mode(PositionMode.HEDGE)
            await hedge_client.open_long("BTC/USDT:USDT", Decimal("0.002"))
            await hedge_client.open_short("BTC/USDT:USDT", Decimal("0.002"))
            pair = await hedge_client.legs("BTC/USDT:USDT")
            assert pair.long.size == pair.short.size == Decimal("0.002")
            await hedge_client.close_leg("BTC/USDT:USDT", PositionSide.LONG)
            assert [r.path for r in simulated_venue.requests if r.method == "POST"][-1] == "/fapi/v1/order"

        async def test_factories(make_simulated_venue, make_hedge_client):
            okx = await make_simulated_venue("okx")
            client = await make_hedge_client(okx)
            assert (await client.position_mode()).mode is PositionMode.ONE_WAY
        """
    )
    result = _run(pytester)
    result.stdout.fnmatch_lines(["*asyncio: mode=*STRICT*"])  # no configuration: pytest-asyncio's strict mode
    result.assert_outcomes(passed=2)


def test_async_tests_without_hedgekit_fixtures_are_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        async def test_not_ours():
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1)  # pytest's own "async def functions are not natively supported"
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])


def test_the_marker_passes_connect_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from hedgekit import RetryPolicy

        async def test_defaults(hedge_client):
            assert hedge_client.venue == "binance"
            assert hedge_client.adapter.config.rate_limit is False  # no client-side waits on loopback

        @pytest.mark.hedgekit("okx", rate_limit=True, timeout=3, options={"demo": False})
        async def test_options(hedge_client, make_hedge_client, simulated_venue):
            config = hedge_client.adapter.config
            assert (hedge_client.venue, config.rate_limit, config.timeout) == ("okx", True, 3.0)
            assert config.options == {"demo": False}
            other = await make_hedge_client(simulated_venue, rate_limit=False)  # a keyword wins
            assert other.adapter.config.rate_limit is False and other.adapter.config.timeout == 3.0

        pytestmark = pytest.mark.hedgekit(latency=0.0)

        @pytest.mark.hedgekit("bybit", marks={"BTC/USDT:USDT": "61000"}, balance="5000")
        async def test_venue_options_merge_with_the_module_marker(simulated_venue):
            assert simulated_venue.venue == "bybit" and simulated_venue.latency == 0.0
            assert simulated_venue.engine.mark_price("BTC/USDT:USDT") == 61000

        @pytest.mark.hedgekit(retry=RetryPolicy(attempts=1))
        async def test_retry(hedge_client, simulated_venue):
            from hedgekit import ExchangeUnavailable
            from hedgekit.testing.faults import FaultKind
            simulated_venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/fapi/v1/positionSide/dual")
            with pytest.raises(ExchangeUnavailable):
                await hedge_client.position_mode()

        async def test_default_retry_asks_again(hedge_client, simulated_venue):
            from hedgekit.testing.faults import FaultKind
            simulated_venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/fapi/v1/positionSide/dual")
            await hedge_client.position_mode()

        @pytest.mark.hedgekit(rate_limits=True)
        async def test_misspelt(hedge_client):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=5, errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.hedgekit has no option rate_limits; it takes venue, strict*"])


STRICT_TESTS = """
import pytest
from decimal import Decimal
from hedgekit import PositionMode

BTC = "BTC/USDT:USDT"

@pytest.mark.hedgekit(strict=True)
async def test_strict_fails_on_requests_nobody_expected(hedge_client, simulated_venue):
    await hedge_client.set_position_mode(PositionMode.HEDGE)

@pytest.mark.hedgekit(strict=True)
async def test_strict_passes_when_every_request_is_declared(hedge_client, simulated_venue):
    simulated_venue.expect("GET", "*")
    simulated_venue.expect("POST", "/fapi/v1/positionSide/dual", params={"dualSidePosition": "true"})
    simulated_venue.expect("POST", "/fapi/v1/order", times=2)
    await hedge_client.set_position_mode(PositionMode.HEDGE)
    await hedge_client.open_long(BTC, Decimal("0.01"))
    await hedge_client.open_short(BTC, Decimal("0.01"))

@pytest.mark.hedgekit(strict="writes")
async def test_writes_only_checks_what_is_not_a_read(hedge_client, simulated_venue):
    simulated_venue.expect("POST", "/fapi/v1/positionSide/dual")
    await hedge_client.set_position_mode(PositionMode.HEDGE)
    await hedge_client.open_long(BTC, Decimal("0.01"))

async def test_an_expected_request_that_never_came_fails(hedge_client, simulated_venue):
    simulated_venue.expect("POST", "/fapi/v1/order", params={"side": "SELL"}, times=1)
    await hedge_client.set_position_mode(PositionMode.HEDGE)
    await hedge_client.open_long(BTC, Decimal("0.01"))

@pytest.mark.hedgekit(strict=True)
async def test_the_connect_of_a_factory_client_is_not_the_tests(make_simulated_venue, make_hedge_client):
    venue = await make_simulated_venue("bybit")
    client = await make_hedge_client(venue)
    venue.expect("GET", "/v5/position/list")
    venue.expect("GET", "/v5/account/info")  # the margin mode of the account, read with the legs
    await client.legs(BTC)
"""


def test_strict_mode_fails_a_test_on_a_request_it_did_not_expect(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(STRICT_TESTS)
    result = _run(pytester, "-rf")
    result.assert_outcomes(passed=2, failed=3)
    out = result.stdout.str()
    failed = {line.split("::")[1].split(" ")[0] for line in out.splitlines() if line.startswith("FAILED")}
    assert failed == {"test_strict_fails_on_requests_nobody_expected", "test_writes_only_checks_what_is_not_a_read",
                      "test_an_expected_request_that_never_came_fails"}, out
    result.stdout.fnmatch_lines([
        "*simulated binance venue:*",
        "*8 unexpected request(s) (strict=True: every request must match an expect()):*",
        "*POST /fapi/v1/positionSide/dual {'dualSidePosition': 'true'}*",
    ])
    # strict="writes": the reads pass, the order nobody declared does not
    result.stdout.fnmatch_lines(["*1 unexpected request(s) (strict='writes': every request but GET must match an expect()):*",
                                 "*POST /fapi/v1/order {*'side': 'BUY'*"])
    result.stdout.fnmatch_lines(["*expected POST /fapi/v1/order {'side': 'SELL'} x1, received 0*"])
    assert "exchangeInfo" not in out  # the plugin's own connect is never reported


def test_strict_mode_from_the_ini_file_and_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nhedgekit_strict = writes\n")
    pytester.makepyfile(
        test_ini="""
        from decimal import Decimal
        import pytest

        async def test_undeclared_order(hedge_client):
            await hedge_client.open_long("BTC/USDT:USDT", Decimal("0.01"))

        @pytest.mark.hedgekit(strict=False)
        async def test_the_marker_wins(hedge_client):
            await hedge_client.open_long("BTC/USDT:USDT", Decimal("0.01"))
        """
    )
    pytester.mkpydir("sub")
    pytester.path.joinpath("sub", "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef hedgekit_strict():\n    return True\n"
    )
    pytester.path.joinpath("sub", "test_fixture.py").write_text(
        "async def test_a_read_nobody_declared(hedge_client):\n    await hedge_client.position_mode()\n"
    )
    result = _run(pytester, "-rf")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*FAILED*test_undeclared_order*"])
    result.stdout.fnmatch_lines(["*FAILED*test_a_read_nobody_declared*"])


def test_a_bad_strict_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.hedgekit(strict="sometimes")
        async def test_x(simulated_venue):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*strict must be True, False or 'writes', not 'sometimes'*"])


def test_the_respx_example_runs() -> None:
    pytest.importorskip("respx", reason="respx is not installed (pip install 'hedgekit[test]')")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(ROOT / "examples" / "test_bot_with_respx.py")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout
