"""Property-based: ids are checked against each venue's grammar, and every value reaches the venue as sent.

* an order id or client order id that does not fit the venue's grammar (``&``, ``=``, ``#``, ``?``,
  space, CR, LF, ``%``, non-ASCII, empty, too long) is refused with ``InvalidRequest`` and nothing
  is sent, through ``fetch_order``, ``cancel_order`` and ``client_order_id=`` on orders;
* an id that fits reaches the simulator as exactly one parameter holding exactly that text;
* any text at all handed to a venue's signer arrives as one parameter with exactly that value,
  and the venue's signature check passes (the signature covers the encoded form).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hedgekit
from hedgekit import HedgeClient, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit_aster import ids as aster_ids
from hedgekit_binance import ids as binance_ids
from hedgekit_bybit import ids as bybit_ids
from hedgekit_okx import ids as okx_ids

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

MODULES: dict[str, ModuleType] = {"aster": aster_ids, "binance": binance_ids, "bybit": bybit_ids, "okx": okx_ids}


class Grammar:
    """The documented grammars, written out here again, so that a loosened adapter grammar fails."""

    def __init__(self, order_id: str, client_order_id: str) -> None:
        self.ORDER_ID = re.compile(order_id)
        self.CLIENT_ORDER_ID = re.compile(client_order_id)


GRAMMARS = {
    # orderId LONG; newClientOrderId "^[\.A-Z\:/a-z0-9_-]{1,36}$" (AST3 §New Order, §Query Order)
    "aster": Grammar(r"[0-9]{1,19}", r"[.A-Z:/a-z0-9_-]{1,36}"),
    # orderId/algoId Optional[int]; "^[.A-Z:/a-z0-9_-]{1,36}$" (binance-connector-python trade_api)
    "binance": Grammar(r"[0-9]{1,19}", r"[.A-Z:/a-z0-9_-]{1,36}"),
    # a UUID (open-order.mdx) or digits (create-order.mdx); orderLinkId: 36 of letters, digits, - and _
    "bybit": Grammar(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{1,19}",
                     r"[A-Za-z0-9_-]{1,36}"),
    # numeric ordId/algoId; clOrdId/algoClOrdId: up to 32 case-sensitive alphanumerics (OKX docs)
    "okx": Grammar(r"[0-9]{1,32}", r"[A-Za-z0-9]{1,32}"),
}


@pytest.mark.parametrize("venue_name", sorted(MODULES))
def test_each_adapter_holds_the_documented_grammar(venue_name: str) -> None:
    assert MODULES[venue_name].ORDER_ID.pattern == GRAMMARS[venue_name].ORDER_ID.pattern
    assert MODULES[venue_name].CLIENT_ORDER_ID.pattern == GRAMMARS[venue_name].CLIENT_ORDER_ID.pattern

#: The parameter each venue reads an id from: (order id, client id), regular and conditional.
ID_PARAMS = {
    "aster": {False: ("orderId", "origClientOrderId"), True: ("orderId", "origClientOrderId")},
    "binance": {False: ("orderId", "origClientOrderId"), True: ("algoId", "clientAlgoId")},
    "bybit": {False: ("orderId", "orderLinkId"), True: ("orderId", "orderLinkId")},
    "okx": {False: ("ordId", "clOrdId"), True: ("algoId", "algoClOrdId")},
}

#: Characters that would add a parameter, cut or break the request, or be decoded into others.
HOSTILE = "&=#?% \r\n\t+;/\\\"'<>{}|^`[]\x00é€😀"
hostile_text = st.one_of(
    st.text(min_size=1, max_size=40).filter(lambda t: any(c in HOSTILE or ord(c) > 127 for c in t)),
    st.builds(lambda a, c, b: a + c + b, st.text(alphabet="0123456789abcdef", max_size=10),
              st.sampled_from(list(HOSTILE)), st.text(alphabet="0123456789", max_size=10)),
    st.sampled_from(["", "1&symbol=ETHUSDT&x=1", "1 2", "1\r\nX-Injected: 1", "1#2", "1?a=b", "%41", "%",
                     "1\n", "\n1", "ünï", "1" * 80, "a" * 37, "-1", "+1", " 1", "1.0", "0x1f"]),
)


@pytest_asyncio.fixture(params=VENUES)
async def hedged(request: Any) -> AsyncIterator[tuple[HedgeClient, SimulatedVenue]]:
    async with SimulatedVenue(request.param) as venue:
        async with hedgekit.connect(request.param, base_url=venue.base_url, **venue.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, BTC)
            yield hk, venue


def _fits(grammar: re.Pattern[str], text: str) -> bool:
    return grammar.fullmatch(text) is not None


async def _refused(pair: tuple[HedgeClient, SimulatedVenue], call: Any) -> None:
    hk, venue = pair
    before = len(venue.requests)
    with pytest.raises(hedgekit.InvalidRequest) as caught:
        await call(hk)
    assert str(caught.value)
    assert len(venue.requests) == before, [(r.method, r.path, r.query_string) for r in venue.requests[before:]]


# -- ids that do not fit: refused, nothing sent -------------------------------------------------------
@SETTINGS
@given(text=hostile_text, conditional=st.booleans(), which=st.sampled_from(["order_id", "client_order_id"]),
       call=st.sampled_from(["fetch_order", "cancel_order"]))
async def test_an_id_outside_the_grammar_is_refused_unsent(
    hedged: tuple[HedgeClient, SimulatedVenue], text: str, conditional: bool, which: str, call: str,
) -> None:
    grammars = GRAMMARS[hedged[0].venue]
    grammar = grammars.ORDER_ID if which == "order_id" else grammars.CLIENT_ORDER_ID
    if _fits(grammar, text):
        return  # e.g. "-1" is a fine Bybit orderLinkId
    await _refused(hedged, lambda hk: getattr(hk, call)(BTC, **{which: text}, conditional=conditional))


@SETTINGS
@given(text=hostile_text)
async def test_a_client_id_outside_the_grammar_is_refused_on_orders(
    hedged: tuple[HedgeClient, SimulatedVenue], text: str,
) -> None:
    if _fits(GRAMMARS[hedged[0].venue].CLIENT_ORDER_ID, text):
        return
    await _refused(hedged, lambda hk: hk.open_long(BTC, hk.market(BTC).min_quantity, client_order_id=text))
    await _refused(hedged, lambda hk: hk.stop_market(BTC, PositionSide.LONG, Decimal("50000"), client_order_id=text))


@pytest.mark.parametrize("venue_name", VENUES)
def test_the_order_path_and_the_id_grammar_agree(venue_name: str) -> None:
    """``check_client_order_id`` (the order path) refuses exactly what the id grammar refuses."""
    adapter = hedgekit.connect(venue_name, api_key="k", secret="s", password="p").adapter
    grammar = GRAMMARS[venue_name].CLIENT_ORDER_ID

    @settings(max_examples=300, deadline=None)
    @given(text=st.one_of(hostile_text, st.from_regex(grammar, fullmatch=True), st.text(max_size=40)))
    def agree(text: str) -> None:
        try:
            adapter.check_client_order_id(text)
        except hedgekit.InvalidRequest:
            assert not _fits(grammar, text)
        else:
            assert _fits(grammar, text)

    agree()


def test_large_order_ids_beyond_a_long_are_refused() -> None:
    for module in (binance_ids, aster_ids):
        assert module.check_ids("x", BTC, str(2**63 - 1), None) == (str(2**63 - 1), None)
        assert module.check_ids("x", BTC, 42, None) == ("42", None)  # an int is its digits
        with pytest.raises(hedgekit.InvalidRequest):
            module.check_ids("x", BTC, str(2**63), None)
        with pytest.raises(hedgekit.InvalidRequest):
            module.check_ids("x", BTC, True, None)
    with pytest.raises(hedgekit.InvalidRequest):
        okx_ids.check_ids("okx", BTC, None, 12345)  # a client id is text


# -- ids that fit: on the wire as one parameter, exactly as given ---------------------------------------
def _the_one_pair(request: Any, name: str) -> str:
    pairs = [value for key, value in (*request.query_pairs, *request.body_pairs) if key == name]
    if not pairs and name in request.params:  # a JSON body
        pairs = [request.params[name]]
    assert len(pairs) == 1, (name, request.query_string, request.body)
    return str(pairs[0])


@SETTINGS
@given(data=st.data(), conditional=st.booleans(), which=st.sampled_from([0, 1]))
async def test_an_id_that_fits_reaches_the_venue_as_given(
    hedged: tuple[HedgeClient, SimulatedVenue], data: st.DataObject, conditional: bool, which: int,
) -> None:
    hk, venue = hedged
    grammars = GRAMMARS[hk.venue]
    grammar = grammars.ORDER_ID if which == 0 else grammars.CLIENT_ORDER_ID
    text = data.draw(st.from_regex(grammar, fullmatch=True))
    if which == 0 and hk.venue in ("binance", "aster") and int(text) > binance_ids.LONG_MAX:
        return
    before = len(venue.requests)
    kwargs = {"order_id": text} if which == 0 else {"client_order_id": text}
    found = await hk.fetch_order(BTC, **kwargs, conditional=conditional)
    assert found is None  # an id nobody placed
    sent = venue.requests[before:]
    assert sent
    name = ID_PARAMS[hk.venue][conditional][which]
    for request in sent:
        assert _the_one_pair(request, name) == text
        assert request.params[name] == text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), conditional=st.booleans())
async def test_a_client_id_round_trip(
    hedged: tuple[HedgeClient, SimulatedVenue], data: st.DataObject, conditional: bool,
) -> None:
    """Place with a client id the grammar allows (Binance's ``.:/`` too), read it and cancel it by that id:
    every request carries it exactly, and the venue finds the order by it."""
    hk, venue = hedged
    cid = data.draw(st.from_regex(GRAMMARS[hk.venue].CLIENT_ORDER_ID, fullmatch=True))
    market = hk.market(BTC)
    before = len(venue.requests)
    try:
        if conditional:
            await hk.stop_market(BTC, PositionSide.SHORT, Decimal("90000"), client_order_id=cid)
        else:
            await hk.open_long(BTC, market.min_quantity * 10, price=Decimal("30000"), client_order_id=cid)
    except hedgekit.OrderRejected:
        return  # a client id already used by an earlier example: venues keep them unique
    placed = [r for r in venue.requests[before:] if r.method == "POST"]
    assert placed and cid in {str(v) for v in placed[0].params.values()}
    found = await hk.fetch_order(BTC, client_order_id=cid, conditional=conditional)
    assert found is not None and found.client_order_id == cid
    name = ID_PARAMS[hk.venue][conditional][1]
    before = len(venue.requests)
    canceled = await hk.cancel_order(BTC, client_order_id=cid, conditional=conditional)
    assert not canceled.status.is_open
    for request in venue.requests[before:]:
        if name in request.params:
            assert _the_one_pair(request, name) == cid


# -- any value at all, through each venue's signer: one parameter, exactly the value -------------------
def _raw_read(hk: HedgeClient, value: str) -> Any:
    adapter: Any = hk.adapter
    if hk.venue == "binance":
        return adapter._call("fetch_order", "fapiPrivateGetOrder", {"symbol": "BTCUSDT", "origClientOrderId": value})
    if hk.venue == "aster":
        return adapter._call("fetch_order", "get_order", {"symbol": "BTCUSDT", "origClientOrderId": value})
    if hk.venue == "bybit":
        return adapter._call("fetch_order", "privateGetV5OrderRealtime",
                             {"category": "linear", "symbol": "BTCUSDT", "orderLinkId": value})
    return adapter._call("fetch_order", "privateGetTradeOrder", {"instId": "BTC-USDT-SWAP", "clOrdId": value})


CLIENT_PARAM = {"binance": "origClientOrderId", "aster": "origClientOrderId", "bybit": "orderLinkId", "okx": "clOrdId"}


@SETTINGS
@given(value=st.one_of(hostile_text.filter(bool), st.text(min_size=1, max_size=30)))
async def test_every_value_reaches_the_venue_as_one_parameter(
    hedged: tuple[HedgeClient, SimulatedVenue], value: str,
) -> None:
    """Below the id check, straight through the adapter's signed call path: the signer encodes, the
    simulator decodes the very value, and its signature check passes."""
    hk, venue = hedged
    before = len(venue.requests)
    try:
        await _raw_read(hk, value)
    except hedgekit.AuthenticationError as exc:  # the signature did not cover what was sent
        raise AssertionError(f"signature refused for {value!r}: {exc}") from exc
    except hedgekit.HedgekitError:
        pass  # "no such order", or the venue's own refusal of the value
    (request,) = venue.requests[before:]
    name = CLIENT_PARAM[hk.venue]
    assert _the_one_pair(request, name) == value
    expected = {"symbol", "origClientOrderId", "category", "orderLinkId", "instId", "clOrdId"}
    assert {key for key, _ in request.query_pairs} - {"timestamp", "recvWindow", "signature", "nonce", "user",
                                                      "signer"} <= expected


# -- the Bybit query: ccxt's bytes for plain values, percent-encoded otherwise ---------------------------
unreserved = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", max_size=20)


@settings(max_examples=200, deadline=None)
@given(values=st.dictionaries(st.sampled_from(["symbol", "orderLinkId", "orderId", "limit", "settleCoin"]),
                              st.one_of(unreserved, st.text(max_size=20), st.booleans(), st.integers())))
def test_bybit_query_is_ccxts_for_plain_values_and_encoded_otherwise(values: dict[str, Any]) -> None:
    from hedgekit.ccxt_loader import exchange_class
    from hedgekit_bybit.auth import query_string

    query = query_string(values)
    decoded = parse_qsl(query, keep_blank_values=True)
    as_text = {k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in values.items()}
    assert dict(decoded) == as_text and len(decoded) == len(values)
    assert not re.search(r"[\s#?]", query)
    if all(re.fullmatch(r"[A-Za-z0-9_.~-]*", text) for text in as_text.values()):
        assert query == exchange_class("bybit").rawencode(values)


def test_bybit_cursor_goes_back_as_bybit_wrote_it() -> None:
    from hedgekit_bybit.auth import query_string

    cursor = "page_args%3Dfd4300ae-7847-404e-b947-b46980a4d140%26symbol%3D6%26"  # open-order.mdx
    assert query_string({"category": "linear", "cursor": cursor}) == f"category=linear&cursor={cursor}"
    assert query_string({"cursor": "a b&c"}) == "cursor=a%20b%26c"  # not an encoded token: encoded
    assert query_string({"cursor": "50%"}) == "cursor=50%25"
