"""Binance USD-M's own rules on conditional orders and in the simulated engine, each with its source.

:data:`CONDITIONAL` is what hedgekit checks before it sends a conditional order
(:func:`hedgekit.validator.check_conditional`); :func:`engine_rules` is what the simulator's engine
applies (:class:`hedgekit.testing.engine_types.EngineRules`), built from the same values so the two
cannot drift apart.

Sources: BNC = binance/binance-connector-python, derivatives_trading_usds_futures ``trade_api.py``
``new_algo_order`` notes (2026-08); BCL = developers.binance.com derivatives change log; ccxt =
ccxt ``binance.py`` exception table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from hedgekit.adapter import ConditionalRules

if TYPE_CHECKING:
    from hedgekit.testing.engine_types import EngineRules

__all__ = ["CONDITIONAL", "engine_rules"]

CONDITIONAL = ConditionalRules(
    callback_rate_min=Decimal("0.1"),  # BCL 2026-10-23: callbackRate min 0.1 ...
    callback_rate_max=Decimal("20"),  # ... max raised from 10 to 20 (shared/VENUES.md errata)
    # BCL gives no code for an out-of-range callbackRate; the simulator answers -1130 (UNCONFIRMED)
    callback_refusal="",
    # BNC new_algo_order: STOP(_MARKET) SELL fires at latest <= triggerPrice, TAKE_PROFIT(_MARKET)
    # SELL at latest >= triggerPrice (BUY the other way round); one that fires at once is refused
    # -2021 "Order would immediately trigger." (the trigger at the price itself fires: "<=", ">=")
    trigger_side_checked=True,
    trigger_at_price_refused=True,
    trigger_refusal="-2021",
    # BNC new_algo_order: "-2021 ... BUY: activatePrice should be smaller than latest price.
    # SELL: activatePrice should be larger than latest price."
    activation_side_checked=True,
    activation_refusal="-2021",
)


def engine_rules() -> EngineRules:
    """The engine rules of the Binance USD-M simulator (every rule's source: :class:`EngineRules`)."""
    from hedgekit.testing.engine_types import EngineRules

    return EngineRules.with_conditional(
        CONDITIONAL,
        # ccxt binance.py: '-4161' "Leverage reduction is not supported in Isolated Margin Mode
        # with open positions"
        leverage_reduction_blocked=True,
        mode_blocked_by_orders=True,  # -4067 "Position side cannot be changed if there exists open orders."
        mode_blocked_by_position=True,  # -4068 "... if there exists position."
        margin_type_blocked_by_orders=True,  # -4047 "Margin type cannot be changed if there exists open orders."
        margin_type_blocked_by_position=True,  # -4048 "... if there exists position."
    )
