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
from hedgekit.ccxt_bridge import ccxt_urlencode, from_ccxt, is_hmac_secret, redact


def _ccxt_exceptions() -> list[type[BaseException]]:
    return [
        cls for _, cls in inspect.getmembers(ccxt_errors, inspect.isclass)
        if issubclass(cls, ccxt.BaseError)
    ]


#: Every exception class of ccxt 4.5.90's ``ccxt.base.errors`` -> the hedgekit error it must become.
#: Written here, class by class (ccxt's tree is ``error_hierarchy`` in that module), so a row cut from
#: the bridge's table, a row moved, or a new ccxt class nobody decided on fails the test.
EXPECTED: dict[str, type[errors.HedgekitError]] = {
    "BaseError": errors.ExchangeError,
    # ExchangeError: the venue answered and refused
    "ExchangeError": errors.ExchangeError,
    "AuthenticationError": errors.AuthenticationError,
    "PermissionDenied": errors.AuthenticationError,
    "AccountNotEnabled": errors.AuthenticationError,
    "AccountSuspended": errors.AuthenticationError,
    "ArgumentsRequired": errors.InvalidRequest,  # a call missing an argument: refused before sending
    "BadRequest": errors.OrderRejected,
    "BadSymbol": errors.InvalidRequest,  # an unknown symbol: refused before sending
    "OperationRejected": errors.ExchangeError,
    "NoChange": errors.ExchangeError,
    "MarginModeAlreadySet": errors.ExchangeError,
    "MarketClosed": errors.ExchangeError,
    "ManualInteractionNeeded": errors.ExchangeError,
    "RestrictedLocation": errors.ExchangeError,
    "InsufficientFunds": errors.InsufficientMargin,
    "InvalidAddress": errors.ExchangeError,
    "AddressPending": errors.ExchangeError,
    "InvalidOrder": errors.OrderRejected,
    "OrderNotFound": errors.OrderRejected,
    "OrderNotCached": errors.OrderRejected,
    "OrderImmediatelyFillable": errors.OrderRejected,
    "OrderNotFillable": errors.OrderRejected,
    "DuplicateOrderId": errors.OrderRejected,
    "ContractUnavailable": errors.OrderRejected,
    "NotSupported": errors.ExchangeError,
    "InvalidProxySettings": errors.ExchangeError,
    "ExchangeClosedByUser": errors.ExchangeError,
    # OperationFailed: the request failed on the way; whether the venue acted is unknown
    "OperationFailed": errors.NetworkError,
    "NetworkError": errors.NetworkError,
    "DDoSProtection": errors.RateLimited,
    "RateLimitExceeded": errors.RateLimited,
    "ExchangeNotAvailable": errors.ExchangeUnavailable,
    "OnMaintenance": errors.ExchangeUnavailable,
    "InvalidNonce": errors.ClockSkew,
    "ChecksumError": errors.ClockSkew,  # under InvalidNonce in ccxt; websocket order books only
    "RequestTimeout": errors.NetworkError,
    # an answer that could not be parsed, or none: hedgekit's MalformedResponse
    "BadResponse": errors.MalformedResponse,
    "NullResponse": errors.MalformedResponse,
    "CancelPending": errors.NetworkError,
    "UnsubscribeError": errors.ExchangeError,
}



def test_every_ccxt_exception_has_a_written_expectation() -> None:
    names = {cls.__name__ for cls in _ccxt_exceptions()}
    assert names == set(EXPECTED), (sorted(names - set(EXPECTED)), sorted(set(EXPECTED) - names))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_ccxt_exception_becomes_its_hedgekit_error(name: str) -> None:
    cls = getattr(ccxt_errors, name)
    out = from_ccxt(cls(f"binanceusdm GET https://x/fapi/v1/order?signature=abc {name}"), venue="binance",
                    operation="op")
    assert type(out) is EXPECTED[name], f"{name} -> {type(out).__name__}, expected {EXPECTED[name].__name__}"
    assert out.venue == "binance" and out.operation == "op" and "abc" not in str(out)


def test_an_exception_outside_ccxt_is_a_plain_exchange_error() -> None:
    assert type(from_ccxt(RuntimeError("x"), venue="v", operation="o")) is errors.ExchangeError


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


def test_a_ccxt_error_text_is_scrubbed_of_the_credentials() -> None:
    exc = ccxt_errors.NetworkError("binanceusdm GET https://x/fapi/v1/order?a=1 answer: key K3Y-VALUE")
    out = from_ccxt(exc, venue="binance", operation="op", secrets=("K3Y-VALUE", None))
    assert "K3Y-VALUE" not in str(out) and "K3Y-VALUE" not in repr(out.args) and "answer: key ***" in str(out)


def test_an_empty_ccxt_error_is_named_by_its_class() -> None:
    out = from_ccxt(ccxt_errors.RequestTimeout(""), venue="binance", operation="op")
    assert out.message == "RequestTimeout" and type(out) is errors.NetworkError


def test_a_foreign_exception_keeps_its_context() -> None:
    out = from_ccxt(RuntimeError("boom"), venue="okx", operation="legs")
    assert (out.message, out.venue, out.operation) == ("boom", "okx", "legs")


@pytest.mark.parametrize("cause", ["refused", "dns", "none"])
def test_no_connection_is_a_network_error_and_an_unavailable_answer_is_not(cause: str) -> None:
    """ccxt raises ExchangeNotAvailable both for no connection (aiohttp's connection errors, a failed
    DNS lookup, as its cause) and for a venue's own "unavailable" answer (no such cause)."""
    import socket

    import aiohttp

    exc = ccxt.ExchangeNotAvailable("binanceusdm GET http://127.0.0.1:1/fapi/v1/exchangeInfo")
    if cause == "refused":
        exc.__cause__ = aiohttp.ClientConnectionError("Cannot connect to host 127.0.0.1:1")
    elif cause == "dns":
        exc.__cause__ = socket.gaierror(-2, "Name or service not known")
    ours = from_ccxt(exc, venue="binance", operation="connect")
    expected = errors.ExchangeUnavailable if cause == "none" else errors.NetworkError
    assert type(ours) is expected and ours.transient
