"""Aster's own rules on conditional orders and in the simulated engine, each with its source.

:data:`CONDITIONAL` is what hedgekit checks before it sends a conditional order
(:func:`hedgekit.validator.check_conditional`); :func:`engine_rules` is what the simulator's engine
applies (:class:`hedgekit.testing.engine_types.EngineRules`), built from the same values.

Source: AST3 = asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` (New Order
notes and the error code list).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from hedgekit.adapter import ConditionalRules

if TYPE_CHECKING:
    from hedgekit.testing.engine_types import EngineRules

__all__ = ["CONDITIONAL", "engine_rules"]

CONDITIONAL = ConditionalRules(
    # AST3 New Order: "callbackRate ... Used with TRAILING_STOP_MARKET orders, min 0.1, max 5 where
    # 1 for 1%" (the batch-order table says max 4; the single order, which hedgekit sends, says 5)
    callback_rate_min=Decimal("0.1"),
    callback_rate_max=Decimal("5"),
    callback_refusal="",  # AST3 names no code for it; the simulator answers -1130 (UNCONFIRMED)
    # AST3 New Order: STOP(_MARKET) SELL fires at latest <= stopPrice, TAKE_PROFIT(_MARKET) SELL at
    # latest >= stopPrice; -2021 ORDER_WOULD_IMMEDIATELY_TRIGGER "Order would immediately trigger."
    trigger_side_checked=True,
    trigger_at_price_refused=True,
    trigger_refusal="-2021",
    # AST3 New Order: "-2021 ... BUY: activationPrice should be smaller than latest price. SELL:
    # activationPrice should be larger than latest price."
    activation_side_checked=True,
    activation_refusal="-2021",
)


def engine_rules() -> EngineRules:
    """The engine rules of the Aster simulator (every rule's source: :class:`EngineRules`)."""
    from hedgekit.testing.engine_types import EngineRules

    return EngineRules.with_conditional(
        CONDITIONAL,
        # AST3 error codes: -4161 ISOLATED_LEVERAGE_REJECT_WITH_POSITION "Leverage reduction is not
        # supported in Isolated Margin Mode with open positions"
        leverage_reduction_blocked=True,
        mode_blocked_by_orders=True,  # AST3 -4067 POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS
        mode_blocked_by_position=True,  # AST3 -4068 POSITION_SIDE_CHANGE_EXISTS_QUANTITY
        margin_type_blocked_by_orders=True,  # AST3 -4047 THERE_EXISTS_OPEN_ORDERS
        margin_type_blocked_by_position=True,  # AST3 -4048 THERE_EXISTS_QUANTITY
    )
