"""Fee rules without a database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wagtail_booking.scheduling.fees import FIXED, NO_SHOW, NONE, PERCENT, FeePolicy, FeeRule, fee_amount


def test_fixed_fee():
    assert fee_amount(FeeRule(FIXED, Decimal("25")), Decimal("90.00")) == Decimal("25.00")


def test_fixed_fee_never_above_the_price():
    assert fee_amount(FeeRule(FIXED, Decimal("150")), Decimal("90.00")) == Decimal("90.00")


def test_percentage_rounds_half_up_to_the_cent():
    assert fee_amount(FeeRule(PERCENT, Decimal("12.5")), Decimal("90.10")) == Decimal("11.26")  # 11.2625


def test_a_kept_deposit_counts_towards_the_fee():
    assert fee_amount(FeeRule(PERCENT, Decimal("50")), Decimal("90"), already_paid=Decimal("18")) == Decimal("27.00")
    assert fee_amount(FeeRule(FIXED, Decimal("10")), Decimal("90"), already_paid=Decimal("18")) == Decimal("0.00")


def test_a_free_service_can_still_have_a_fixed_no_show_fee():
    assert fee_amount(FeeRule(FIXED, Decimal("20")), Decimal("0")) == Decimal("20.00")


def test_no_fee():
    assert fee_amount(FeeRule(), Decimal("90")) == Decimal("0.00")
    assert not FeePolicy().any
    assert FeePolicy(no_show=FeeRule(FIXED, Decimal("5"))).rule(NO_SHOW).applies


@pytest.mark.parametrize("kind, value", [("other", 1), (FIXED, -1), (PERCENT, 101)])
def test_bad_rules_are_refused(kind, value):
    with pytest.raises(ValueError):
        FeeRule(kind, Decimal(value))


def test_unknown_reason():
    with pytest.raises(ValueError):
        FeePolicy().rule("rainy_day")


@given(st.sampled_from([NONE, FIXED, PERCENT]), st.decimals(0, 100, places=2), st.decimals(0, 10000, places=2),
       st.decimals(0, 10000, places=2))
def test_fee_is_between_zero_and_the_price(kind, value, price, paid):
    amount = fee_amount(FeeRule(kind, value), price, paid)
    ceiling = price if price > 0 else value  # a free service's no-show fee is the fixed amount itself
    assert Decimal(0) <= amount <= ceiling
    assert amount == amount.quantize(Decimal("0.01"))
