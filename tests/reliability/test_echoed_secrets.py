"""Credentials a venue echoes back in its error text never leave: not in the raised error, not in
anything chained to it, not in its traceback, not in any log line.

Venues do echo them: Bybit's signature refusal is ``10004 error sign! origin_string[<timestamp>
<apiKey><recvWindow><payload>]`` (the simulator answers a wrong secret with exactly that), and an
error page may quote the key or the passphrase. Each venue's simulator gets a middleware that
answers a signed request with such a text in the venue's own envelope (and echoes the key in a
response header, which ccxt's DEBUG line prints).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import HedgekitError, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind
from hedgekit.testing.frontend import Handler, RecordedRequest, WireResponse

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
#: The request each venue's position-mode read sends (the middleware answers it).
MODE_PATH = {
    "binance": "/fapi/v1/positionSide/dual",
    "aster": "/fapi/v3/positionSide/dual",
    "bybit": "/v5/position/list",
    "okx": "/api/v5/account/config",
}


def echo_answer(venue: str, text: str) -> WireResponse:
    """A refusal in ``venue``'s envelope whose message is ``text``."""
    if venue in ("binance", "aster"):  # {"code", "msg"}; -2015 REJECTED_MBX_KEY
        return WireResponse.json({"code": -2015, "msg": text}, 401, {"X-Echo": text})
    if venue == "bybit":  # v5 envelope, HTTP 200; 10003 "API key is invalid."
        return WireResponse.json({"retCode": 10003, "retMsg": text, "result": {}, "retExtInfo": {},
                                  "time": 1700000000000}, 200, {"X-Echo": text})
    if venue == "okx":  # 50111 "Invalid OK-ACCESS-KEY."
        return WireResponse.json({"code": "50111", "msg": text, "data": []}, 401, {"X-Echo": text})
    raise AssertionError(f"no envelope for {venue}")


def secret_values(creds: dict[str, Any]) -> list[str]:
    """Every credential value handed to connect(), and for Aster the wallet in lower case too."""
    values = [str(v) for v in creds.values() if v]
    values += [v.lower() for v in values if v.startswith("0x")]
    return values


def chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything chained to it (``__cause__`` and ``__context__``, suppressed or not)."""
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo:
        exc = todo.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        todo += [e for e in (exc.__cause__, exc.__context__) if e is not None]


def texts_of(error: BaseException) -> list[str]:
    out = ["".join(traceback.format_exception(error))]
    for exc in chain(error):
        out += [str(exc), repr(exc), repr(exc.args), str(getattr(exc, "venue_message", ""))]
        out += [repr(vars(exc))]  # every attribute (a VenueReply's URL, body and payload)
    return out


def log_texts(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.getMessage()} {r.args!r} {r.msg!r}" for r in records]


def assert_clean(error: BaseException, records: list[logging.LogRecord], secrets: list[str]) -> None:
    from hedgekit.ccxt_bridge import VenueReply, is_ccxt_error

    for exc in chain(error):
        assert isinstance(exc, HedgekitError), f"{type(exc).__name__} is chained to the raised error"
        assert not isinstance(exc, VenueReply) and not is_ccxt_error(exc)
    for text in texts_of(error) + log_texts(records):
        leaked = [s for s in secrets if s in text]
        assert not leaked, text[:300]
        assert "signature=" not in text.replace("signature=***", "")


@pytest.mark.parametrize("venue_name", VENUES)
async def test_a_key_in_the_venues_error_text_is_redacted_everywhere(
    venue_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with SimulatedVenue(venue_name) as venue:
        creds = dict(venue.credentials)
        secrets = secret_values(creds)
        echoed = " / ".join(secrets)  # the key, the secret, OKX's passphrase, Aster's wallet

        async def echo(request: RecordedRequest, call_next: Handler) -> WireResponse:
            if request.path == MODE_PATH[venue_name]:
                return echo_answer(venue_name, f"Invalid API-key {echoed}, IP, or permissions for action.")
            return await call_next(request)

        venue.add_middleware(echo)
        async with hedgekit.connect(venue_name, base_url=venue.base_url, retry=RetryPolicy.disabled(),
                                    **creds) as hk:
            with pytest.raises(hedgekit.AuthenticationError) as info:
                await hk.position_mode(BTC)
        assert "***" in (info.value.venue_message or "")  # the venue's text is there, scrubbed
        assert any(echoed not in r.getMessage() and "***" in r.getMessage() for r in caplog.records
                   if r.name == f"hedgekit_{venue_name}.transport")  # ccxt's answer line was logged
        assert_clean(info.value, caplog.records, secrets)


async def test_bybits_error_sign_origin_string_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """A wrong secret: Bybit answers ``10004 error sign! origin_string[<ts><apiKey><recvWindow>...]``."""
    caplog.set_level(logging.DEBUG)
    async with SimulatedVenue("bybit") as venue:
        creds = dict(venue.credentials)
        wrong = dict(creds, secret="wrong" + creds["secret"][5:])
        async with hedgekit.connect("bybit", base_url=venue.base_url, retry=RetryPolicy.disabled(), **wrong) as hk:
            with pytest.raises(hedgekit.AuthenticationError) as info:
                await hk.position_mode(BTC)
        answer = [r for r in venue.requests if r.path == "/v5/position/list"]
        assert answer and info.value.code == 10004
        assert (info.value.venue_message or "").startswith("error sign! origin_string[")
        assert "***" in (info.value.venue_message or "")
        assert_clean(info.value, caplog.records, secret_values(creds) + [wrong["secret"]])


@pytest.mark.parametrize("venue_name", VENUES)
async def test_a_transport_failure_chains_no_ccxt_exception(venue_name: str, caplog: pytest.LogCaptureFixture) -> None:
    """ccxt's exception text has the signed URL; the hedgekit error neither quotes nor chains it."""
    caplog.set_level(logging.DEBUG)
    async with SimulatedVenue(venue_name) as venue:
        creds = dict(venue.credentials)
        async with hedgekit.connect(venue_name, base_url=venue.base_url, retry=RetryPolicy.disabled(),
                                    **creds) as hk:
            venue.inject(FaultKind.DROP_BEFORE, path=MODE_PATH[venue_name], count=5)  # aiohttp resends once
            with pytest.raises(hedgekit.NetworkError) as info:  # ccxt: ExchangeNotAvailable from aiohttp
                await hk.position_mode(BTC)
        assert info.value.__context__ is None and info.value.__cause__ is None
        assert_clean(info.value, caplog.records, secret_values(creds))


async def test_each_client_scrubs_its_own_key_from_ccxts_lines(caplog: pytest.LogCaptureFixture) -> None:
    """Two clients with different keys in one process: each one's echoed key is scrubbed."""
    caplog.set_level(logging.DEBUG)
    async with SimulatedVenue("binance") as one, SimulatedVenue("binance") as two:
        secrets: list[str] = []
        clients = []
        for venue in (one, two):
            creds = dict(venue.credentials)
            secrets += secret_values(creds)

            async def echo(request: RecordedRequest, call_next: Handler, key: str = creds["api_key"]) -> WireResponse:
                if request.path == MODE_PATH["binance"]:
                    return echo_answer("binance", f"Invalid API-key {key}")
                return await call_next(request)

            venue.add_middleware(echo)
            clients.append(hedgekit.connect("binance", base_url=venue.base_url, retry=RetryPolicy.disabled(),
                                            **creds))
        assert secrets[0] != secrets[2]
        errors = []
        for hk in clients:
            async with hk:
                with pytest.raises(hedgekit.AuthenticationError) as info:
                    await hk.position_mode()
                errors.append(info.value)
        lines = [r.getMessage() for r in caplog.records if r.name == "hedgekit_binance.transport"]
        answers = [line for line in lines if "positionSide/dual" in line and "Response" in line]
        assert len(answers) == 2 and all("Invalid API-key ***" in line for line in answers)
        for error in errors:
            assert_clean(error, caplog.records, secrets)


async def test_an_order_refusal_echoing_the_key_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """The order path goes through the same call: its refusal text is scrubbed too."""
    caplog.set_level(logging.DEBUG)
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as venue:
        creds = dict(venue.credentials)

        async def echo(request: RecordedRequest, call_next: Handler) -> WireResponse:
            if request.path == "/fapi/v1/order" and request.method == "POST":
                return WireResponse.json({"code": -2019, "msg": f"Margin is insufficient. key={creds['api_key']}"}, 400)
            return await call_next(request)

        venue.add_middleware(echo)
        async with hedgekit.connect("binance", base_url=venue.base_url, **creds) as hk:
            with pytest.raises(hedgekit.InsufficientMargin) as info:
                await hk.open_long(BTC, Decimal("0.010"))
        assert_clean(info.value, caplog.records, secret_values(creds))
