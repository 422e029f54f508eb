"""The one translation point from ccxt exceptions, and redaction."""

from __future__ import annotations

import inspect

import ccxt
import importlib

ccxt_errors = importlib.import_module("ccxt.base.errors")
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgekit import errors
from hedgekit.ccxt_bridge import _ccxt_table, ccxt_urlencode, from_ccxt, is_hmac_secret, redact


def _ccxt_exceptions() -> list[type[BaseException]]:
    return [
        cls for _, cls in inspect.getmembers(ccxt_errors, inspect.isclass)
        if issubclass(cls, ccxt.BaseError)
    ]


def test_every_ccxt_exception_is_mapped_deliberately() -> None:
    listed = {cls for cls, _ in _ccxt_table()}
    for cls in _ccxt_exceptions():
        # each class is listed itself, or its nearest listed ancestor is a deliberate choice
        assert any(issubclass(cls, base) for base in listed), cls
        assert cls in listed or cls.__mro__[1] in listed or any(b in listed for b in cls.__mro__[1:]), cls


@pytest.mark.parametrize(
    "exc, expected",
    [
        (ccxt.RequestTimeout("binanceusdm GET https://x/fapi/v1/order?signature=abc timed out"), errors.NetworkError),
        (ccxt.NetworkError("reset"), errors.NetworkError),
        (ccxt.RateLimitExceeded("slow down"), errors.RateLimited),
        (ccxt.DDoSProtection("418"), errors.RateLimited),
        (ccxt.InvalidNonce("-1021"), errors.ClockSkew),
        (ccxt.ExchangeNotAvailable("503"), errors.ExchangeUnavailable),
        (ccxt.AuthenticationError("bad key"), errors.AuthenticationError),
        (ccxt.InsufficientFunds("margin"), errors.InsufficientMargin),
        (ccxt.InvalidOrder("bad"), errors.OrderRejected),
        (ccxt.ExchangeError("other"), errors.ExchangeError),
    ],
)
def test_translation(exc: BaseException, expected: type[errors.HedgekitError]) -> None:
    out = from_ccxt(exc, venue="binance", operation="op")
    assert type(out) is expected
    assert out.venue == "binance" and out.operation == "op"


def test_every_ccxt_exception_becomes_a_hedgekit_error() -> None:
    for cls in _ccxt_exceptions():
        assert isinstance(from_ccxt(cls("x"), venue="v", operation="o"), errors.HedgekitError)


def test_redaction() -> None:
    text = "GET https://h/fapi/v1/order?symbol=BTCUSDT&signature=deadbeef failed; apiKey=AKIA secret: s3cr3t"
    out = redact(text, "s3cr3t")
    assert "deadbeef" not in out and "AKIA" not in out and "s3cr3t" not in out
    assert "https://h/fapi/v1/order" in out


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(
    st.text(min_size=1, max_size=6),
    st.one_of(st.booleans(), st.integers(), st.text(max_size=12), st.decimals(allow_nan=False, allow_infinity=False)),
    max_size=6,
))
def test_urlencode_writes_what_ccxt_writes(params: dict[str, object]) -> None:
    exchange = ccxt.binanceusdm()
    assert ccxt_urlencode(params) == exchange.urlencode(params)


def test_hmac_secret_or_pem_key() -> None:
    assert is_hmac_secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    assert not is_hmac_secret("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n-----END PRIVATE KEY-----")
    assert not is_hmac_secret(None) and not is_hmac_secret("")
