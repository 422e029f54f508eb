"""Aster's account views: the Binance family's (:mod:`hedgekit_binance.account`) with Aster's differences.

From AST3 (asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md``; shared/ACCOUNT.md §2):

* ``fundingInfo`` takes a ``symbol`` and answers ``fundingIntervalHours`` for it (§Get Funding Rate Config);
* ``fundingRate`` rows have no ``markPrice``;
* the account totals come from ``GET /fapi/v3/accountWithJoinMargin`` (legacy keys: ``/fapi/v4/account``);
* ``PUT /fapi/v3/order`` (§Modify Order) takes ``quantity`` and ``price`` (both) and **no** ``side``;
  LIMIT only. Only v3 (API-wallet) keys can amend: AST1 has no modify endpoint, so an amendment on a
  legacy HMAC key is refused before anything is sent. ccxt 4.5.90 has no implicit method for the
  path (``has['editOrder']`` is False: its edit cancels and re-creates, losing the order id), so
  :meth:`AsterAccount._account_call` adds ``fapiPrivatePutV3Order`` to the exchange, routed through
  ccxt's ``request`` (and so through hedgekit's v3 signer).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from hedgekit.models import Market, Order

from hedgekit_aster import wire
from hedgekit_binance.account import BinanceFamilyAccount

__all__ = ["AsterAccount"]


class AsterAccount(BinanceFamilyAccount):
    """Funding, balance, mark price, fills and amendment on Aster (v3 paths; v1 for legacy keys)."""

    account_methods: ClassVar[dict[str, str]] = {
        key: key for key in ("premium_index", "funding_info", "funding_rate", "income", "user_trades",
                             "account", "amend")
    }
    amend_sends_side: ClassVar[bool] = False
    funding_info_by_symbol: ClassVar[bool] = True

    _legacy: bool
    _exchange: Any

    async def _account_call(self, operation: str, key: str, params: dict[str, str], symbol: str | None) -> Any:
        if key == "amend" and self._exchange is not None and not hasattr(self._exchange, "fapiPrivatePutV3Order"):
            # PUT /fapi/v3/order through ccxt's own request path (signing, hooks, errors)
            self._exchange.fapiPrivatePutV3Order = functools.partial(
                self._exchange.request, "v3/order", "fapiPrivate", "PUT")
        return await self._call(operation, self.account_methods[key], params, symbol=symbol)

    def amend_refusal(self, order: Order) -> str | None:
        if self._legacy:
            return "legacy (v1 HMAC) keys have no order amendment; PUT /fapi/v3/order needs a v3 API-wallet key"
        return super().amend_refusal(order)

    def _parse_amended(self, payload: Any, market: Market) -> Order:
        return wire.parse_order(payload, market)
