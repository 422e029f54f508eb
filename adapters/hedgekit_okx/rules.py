"""OKX v5's own rules on conditional orders and in the simulated engine, each with its source.

:data:`CONDITIONAL` is what hedgekit checks before it sends a conditional order
(:func:`hedgekit.validator.check_conditional`); :func:`engine_rules` is what the simulator's engine
applies (:class:`hedgekit.testing.engine_types.EngineRules`), built from the same values.

Source: OKX = okx.com docs-v5 (Place algo order, Error codes; mirrored in rosssaunders/coincise
``docs/okx/order_book_trading.md`` and ``docs/okx/error_code.md``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from hedgekit.adapter import ConditionalRules

if TYPE_CHECKING:
    from hedgekit.testing.engine_types import EngineRules

__all__ = ["ACTIVE_PX_WRONG_SIDE", "CALLBACK_RATIO_REFUSAL", "CONDITIONAL", "engine_rules"]

CONDITIONAL = ConditionalRules(
    # OKX Place algo order, move_order_stop: "callbackRatio: Callback price ratio, e.g. 0.01
    # represents 1%" (hedgekit's percent / 100). Error 51257: "Trailing stop order callback rate
    # error. The callback rate should be {min}< x<={max}%.": a strict lower and an inclusive upper
    # bound, whose numbers OKX v5 does not publish (place-algo-order, error codes 51257 and 51311
    # "Callback rate should be within {min}<x<={max}", the help centre's trailing-stop article).
    # The retired v3 API documented 0.001 (0.1 %) <= x <= 0.05 (5 %) for trail orders; nothing
    # says v5 kept it. UNCONFIRMED: assumed 0 < x <= 100 %, so OKX's own answer decides anything in
    # between (a 50 % ratio is sent, and the simulator takes it); a tighter local range would
    # refuse orders OKX may accept.
    callback_rate_min=Decimal(0),
    callback_rate_min_exclusive=True,
    callback_rate_max=Decimal(100),
    callback_refusal="51257",
    # OKX error codes 51277 "TP trigger price cannot be higher than the last price", 51278 "SL trigger
    # price cannot be lower than the last price", 51279/51280 the other way round (a SELL TP / SL);
    # against the mark price (slTriggerPxType/tpTriggerPxType "mark", what hedgekit sends by default)
    # 51300/51302/51303/51304 "... than the mark price". "Cannot be higher/lower" leaves a trigger at
    # the price itself allowed (UNCONFIRMED: the venue may still refuse it)
    trigger_side_checked=True,
    trigger_at_price_refused=False,
    trigger_refusal="51277-51280 against the last price, 51300-51304 against the mark",
    # OKX error codes 51258 "Trailing stop order placement failed. The trigger price of a sell order
    # must be higher than the last transaction price." / 51259 "... of a buy order must be lower ..."
    activation_side_checked=True,
    activation_refusal="51258/51259",
)

#: 51257 as the simulator writes it, the bounds filled in (in percent, as OKX's template has them).
CALLBACK_RATIO_REFUSAL = (
    "51257",
    "Trailing stop order callback rate error. The callback rate should be "
    f"{CONDITIONAL.callback_rate_min}< x<={CONDITIONAL.callback_rate_max}%.",
)


#: 51258/51259 as OKX words them, by the order's side (``SELL``/``BUY``): a trailing stop's ``activePx`` on the wrong
#: side of the last price (OKX error codes).
ACTIVE_PX_WRONG_SIDE = {
    "SELL": ("51258", "Trailing stop order placement failed. The trigger price of a sell order must be "
                         "higher than the last transaction price."),
    "BUY": ("51259", "Trailing stop order placement failed. The trigger price of a buy order must be "
                        "lower than the last transaction price."),
}


def engine_rules() -> EngineRules:
    """The engine rules of the OKX simulator (every rule's source: :class:`EngineRules`)."""
    from hedgekit.testing.engine_types import EngineRules

    return EngineRules.with_conditional(
        CONDITIONAL,
        # OKX error codes: 59103 "Account margin is insufficient and leverage is too low. Please
        # increase the leverage." refuses a lowering whose margin is missing; no code refuses every
        # lowering of an isolated leg under a position
        leverage_reduction_blocked=False,
        mode_blocked_by_orders=True,  # OKX set-position-mode: 59000, open orders
        mode_blocked_by_position=True,  # OKX set-position-mode: 59000, positions
        # margin mode is chosen per order (tdMode); the frontend decides before it asks the engine
        margin_type_blocked_by_orders=True,
        margin_type_blocked_by_position=True,
    )
