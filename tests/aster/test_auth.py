"""Aster authentication: v3 EIP-712 signing (known answers), the simulator's checks, v1 HMAC keys."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

import hedgekit
from hedgekit.adapter import ConnectConfig
from hedgekit.testing import SimulatedVenue
from hedgekit_aster.adapter import AsterAdapter
from hedgekit_aster.auth import (
    HmacSigner,
    V3Signer,
    address_of,
    checksum_address,
    message_digest,
    private_key_bytes,
    recover_address,
    sign_digest,
)
from hedgekit_aster.simulator import new_private_key
from hedgekit_aster.simulator_auth import NonceBook
from hedgekit_binance.simulator_wire import BinanceError

from .conftest import BTC, frontend

# The API-wallet key, its address and the user of AST3's "Example of POST /fapi/v3/order" ("the
# privateKey corresponds to the signer").
DOC_KEY = "0x4fd0a42218f3eae43a6ce26d22544e986139a01e5b34a62db53757ffca81bae1"
DOC_SIGNER = "0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0"
DOC_USER = "0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e"
DOC_MSG = (f"nonce=1748310859508867&price=0.5&quantity=20&side=BUY&signer={DOC_SIGNER}&symbol=ASTERUSDT"
           f"&timeInForce=GTC&type=LIMIT&user={DOC_USER}")
# eth_account 0.13 ``Account.sign_message(encode_typed_data(full_message=<AST3 typed_data>), DOC_KEY)``
# over DOC_MSG: the EIP-712 hash and signature for chain id 1666 (mainnet) and 714 (testnet).
ETH_ACCOUNT = {
    1666: ("1cff4436f7ec49f0bd288f95435d407c007248e6588d4115e13e7d7580fb969b",
           "57a0751c8c851f4e50140dc10dd54350202098a4ad3e435ab49c91e62e612e9f"
           "721c73c1b6bc09a954867e99958e6f2fac974e067465f0fa5cc2dfaa0500ceed1b"),
    714: ("4a581f980b69bc80c1561688d2be1a290d1699a6b2a7c39a34caea2c73643a3e",
          "b31c85802eb305917e06c36a24cdf150e22f119d6192bb16bcd4b1f5898adc54"
          "7dc455c83aec7095b454bdd2f256eb62b5ab094fb93c0d59105f19a60f2445a21b"),
}


def test_signing_matches_eth_account_and_the_docs() -> None:
    key = private_key_bytes(DOC_KEY)
    assert address_of(key) == DOC_SIGNER
    for chain_id, (digest, signature) in ETH_ACCOUNT.items():
        assert message_digest(DOC_MSG, chain_id).hex() == digest
        assert sign_digest(bytes.fromhex(digest), key) == "0x" + signature
        assert recover_address(bytes.fromhex(digest), signature) == DOC_SIGNER  # without 0x too
    # the direct EIP-712 hash is ccxt's typed-data encoder, hashed
    from ccxt.base.exchange import Exchange
    from ccxt.static_dependencies.keccak import SHA3

    encoded = Exchange.eth_encode_structured_data(
        {"name": "AsterSignTransaction", "version": "1", "chainId": 1666,
         "verifyingContract": "0x0000000000000000000000000000000000000000"},
        {"Message": [{"name": "msg", "type": "string"}]}, {"msg": "symbol=BTCUSDT"})
    assert message_digest("symbol=BTCUSDT", 1666) == bytes(SHA3(encoded))
    # EIP-55's own example address
    assert checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert recover_address(bytes(32), "0x1234") is None


def test_v3_signer_sends_sorted_params_and_signs_what_it_sends() -> None:
    signer = V3Signer(DOC_USER.lower(), private_key_bytes(DOC_KEY), 1666)
    query, headers = signer.sign({"symbol": "BTCUSDT", "side": "BUY", "newClientOrderId": "a:b/c"})
    assert headers == {}
    text, _, signature = query.rpartition("&signature=")
    pairs = parse_qsl(text)
    assert [k for k, _ in pairs] == sorted(k for k, _ in pairs)
    assert dict(pairs)["user"] == DOC_USER and dict(pairs)["signer"] == DOC_SIGNER
    assert recover_address(message_digest(text, 1666), signature) == DOC_SIGNER
    nonces = [signer.nonce() for _ in range(50)]
    assert nonces == sorted(set(nonces)) and abs(nonces[0] - time.time_ns() // 1000) < 5_000_000
    assert DOC_KEY[2:] not in repr(signer) and "V3Signer(" in repr(signer)


def test_hmac_signer_is_binances_scheme() -> None:
    signer = HmacSigner("k" * 64, "s" * 64, 5000)
    query, headers = signer.sign({"symbol": "BTCUSDT"})
    text, _, signature = query.rpartition("&signature=")
    assert headers == {"X-MBX-APIKEY": "k" * 64}
    assert signature == hmac.new(b"s" * 64, text.encode(), hashlib.sha256).hexdigest()
    assert {"timestamp", "recvWindow"} <= dict(parse_qsl(text)).keys()


# AST3 "V3 Nonce Mechanism": nonces in microseconds, "the difference from server time must not exceed 10
# seconds"; "each user maintains only the most recent 100 nonces": a used nonce is a duplicate, and once the
# list is full a nonce "smaller than the current minimum" is expired. The answer is the Noop sample's
# {"code":-4225,"msg":"Nonce Expired"}.
KEPT = 100
WINDOW_US = 10_000_000


def test_nonce_book_keeps_the_last_hundred() -> None:
    book, now = NonceBook(), 1_700_000_000_000_000
    for i in range(1, KEPT):
        book.accept(now + i, now)
    book.accept(now - 1, now)  # the 100th: below every other nonce, but the list is not full yet
    refusals = [
        now - 2,  # the list is full and it is below its minimum (now - 1)
        now + 5,  # used
        now + WINDOW_US + 1,  # more than 10 s ahead
        now - WINDOW_US - 1,  # more than 10 s behind
    ]
    for nonce in refusals:
        with pytest.raises(BinanceError, match="Nonce Expired") as info:
            book.accept(nonce, now)
        assert info.value.code == -4225
    book.accept(now + WINDOW_US, now)  # exactly 10 s ahead is within; the oldest (now - 1) makes room
    assert len(book.used) == KEPT and now - 1 not in book.used and book.used[0] == now + 1


async def raw(venue: SimulatedVenue, method: str, path: str, params: dict[str, str], *, key: str,
              user: str | None = None, signer: str | None = None, nonce: int | None = None) -> tuple[int, Any]:
    """A hand-signed v3 request: ``params`` + user/signer/nonce, signed with ``key``."""
    secret = private_key_bytes(key)
    pairs = dict(params, nonce=str(nonce or time.time_ns() // 1000), user=user or venue.credentials["api_key"],
                 signer=signer or address_of(secret))
    text = urlencode(list(pairs.items()))
    query = f"{text}&signature={sign_digest(message_digest(text, 1666), secret)}"
    async with aiohttp.ClientSession() as session:
        async with session.request(method, f"{venue.base_url}{path}?{query}") as resp:
            return resp.status, await resp.json(content_type=None)


async def test_simulator_refuses_other_keys_and_replays(venue: SimulatedVenue) -> None:
    agent_key = venue.credentials["secret"]
    agent = address_of(private_key_bytes(agent_key))
    dual = "/fapi/v3/positionSide/dual"
    assert await raw(venue, "GET", dual, {}, key=agent_key) == (200, {"dualSidePosition": False})
    # signed by a key other than the declared signer's
    status, body = await raw(venue, "GET", dual, {}, key=new_private_key(), signer=agent)
    assert (status, body) == (400, {"code": -1022, "msg": "Signature for this request is not valid."})
    # a valid signature by a wallet the user never approved
    stranger = new_private_key()
    assert (await raw(venue, "GET", dual, {}, key=stranger))[1] == {"code": -1000, "msg": "Signature check failed"}
    frontend(venue).approve_agent(address_of(private_key_bytes(stranger)))
    assert (await raw(venue, "GET", dual, {}, key=stranger))[0] == 200
    # the right key for another user
    assert (await raw(venue, "GET", dual, {}, key=agent_key, user=DOC_USER))[1]["code"] == -1000
    # a reused nonce, and one 11 s old
    nonce = time.time_ns() // 1000
    assert (await raw(venue, "GET", dual, {}, key=agent_key, nonce=nonce))[0] == 200
    assert (await raw(venue, "GET", dual, {}, key=agent_key, nonce=nonce))[1] == {"code": -4225, "msg": "Nonce Expired"}
    assert (await raw(venue, "GET", dual, {}, key=agent_key, nonce=nonce - 11_000_000))[1]["code"] == -4225
    # no signature at all
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{venue.base_url}{dual}?user={agent}&signer={agent}&nonce=1") as resp:
            assert (await resp.json())["code"] == -1102


async def test_wrong_keys_are_authentication_errors(venue: SimulatedVenue) -> None:
    creds = venue.credentials
    wrong = new_private_key()
    async with hedgekit.connect("aster", base_url=venue.base_url, api_key=creds["api_key"], secret=wrong) as client:
        with pytest.raises(hedgekit.AuthenticationError) as info:
            await client.position_mode(BTC)
    assert info.value.code == -1000 and info.value.http_status == 400
    assert wrong[2:] not in str(info.value) and wrong[2:] not in repr(info.value)
    before = len(venue.requests)
    async with hedgekit.connect("aster", base_url=venue.base_url, api_key=creds["api_key"],
                                secret="0xnot-a-key") as client:
        with pytest.raises(hedgekit.AuthenticationError, match="not a secp256k1 private key") as info:
            await client.position_mode(BTC)
    assert "not-a-key" not in str(info.value)
    assert [r.path for r in venue.requests[before:]] == ["/fapi/v3/exchangeInfo"]  # nothing signed went out
    agent = address_of(private_key_bytes(creds["secret"]))
    with pytest.raises(hedgekit.ConfigurationError, match="signer"):
        hedgekit.connect("aster", base_url=venue.base_url, secret=wrong, api_key=creds["api_key"],
                         options={"signer": agent})


async def test_clock_skew_is_cured_by_a_time_resync(venue: SimulatedVenue, caplog: pytest.LogCaptureFixture) -> None:
    venue.engine.clock = lambda: int(time.time() * 1000) + 60_000  # the venue runs a minute ahead
    caplog.set_level(logging.DEBUG)
    creds = venue.credentials
    async with hedgekit.connect("aster", base_url=venue.base_url, **creds) as client:
        assert (await client.position_mode()).mode is hedgekit.PositionMode.ONE_WAY
        await client.open_long(BTC, Decimal("0.010"))
    dual = [r for r in venue.requests if r.path == "/fapi/v3/positionSide/dual"]
    assert len(dual) == 2 and any(r.path == "/fapi/v3/time" for r in venue.requests)
    logged = caplog.text + repr(client.adapter)
    key = creds["secret"].removeprefix("0x")
    assert key not in logged and "signature=0x" not in logged


async def test_legacy_v1_hmac_keys(venue: SimulatedVenue, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    legacy = frontend(venue).legacy_credentials
    async with hedgekit.connect("aster", base_url=venue.base_url, **legacy) as client:
        await client.set_position_mode(hedgekit.PositionMode.HEDGE)
        await client.open_long(BTC, Decimal("0.010"))
        pair = await client.legs(BTC)
        assert pair.long.size == Decimal("0.01") and pair.long.leverage == 20
    paths = {r.path for r in venue.requests}
    assert {"/fapi/v1/exchangeInfo", "/fapi/v1/positionSide/dual", "/fapi/v2/positionRisk", "/fapi/v1/openOrders",
            "/fapi/v1/order"} <= paths and not any(p.startswith("/fapi/v3") for p in paths)
    order = [r for r in venue.requests if r.path == "/fapi/v1/order"][-1]
    assert order.headers["X-MBX-APIKEY"] == legacy["api_key"] and "user" not in order.params
    async with hedgekit.connect("aster", base_url=venue.base_url, api_key=legacy["api_key"], secret="x" * 64) as client:
        with pytest.raises(hedgekit.AuthenticationError) as info:
            await client.position_mode()
    assert info.value.code == -1022
    assert legacy["api_key"] not in caplog.text and legacy["secret"] not in caplog.text


def test_testnet_selects_its_host_and_chain_id() -> None:
    key = new_private_key()
    config = ConnectConfig(venue="aster", api_key=DOC_USER, secret=key, testnet=True)  # type: ignore[arg-type]
    adapter = AsterAdapter(config)
    exchange = adapter._make_exchange()
    assert exchange.urls["api"]["fapiPrivate"] == "https://fapi.asterdex-testnet.com/fapi"
    assert adapter._signer is not None and adapter._signer.chain_id == 714  # type: ignore[attr-defined]
    assert exchange.options["builderFee"] is False
    assert key[2:] not in repr(adapter)
    mainnet = AsterAdapter(ConnectConfig(venue="aster", api_key=DOC_USER, secret=key))  # type: ignore[arg-type]
    assert mainnet._signer.chain_id == 1666  # type: ignore[union-attr]
    assert mainnet._make_exchange().urls["api"]["fapiPrivate"] == "https://fapi.asterdex.com/fapi"


def test_native_and_pure_keccak_agree() -> None:
    from hedgekit_aster import auth

    for data in (b"", b"Message(string msg)", bytes(range(256)) * 3):
        assert auth._keccak_native(data) == auth._keccak_pure(data)


def test_recovered_address_in_lower_case_is_the_checksummed_one_lowered() -> None:
    digest = message_digest("nonce=1&user=0x", 1666)
    key = private_key_bytes("0x" + "11" * 32)
    signature = sign_digest(digest, key)
    checksummed = recover_address(digest, signature)
    assert checksummed == address_of(key)
    assert recover_address(digest, signature, checksummed=False) == checksummed.lower()
