"""The balance arithmetic and the tip rules, without a database."""

from decimal import Decimal as D

import pytest

from wagtail_booking.checkout.balances import due


def test_balance_is_price_plus_add_ons_less_deposit_kept_and_earlier_payments():
    bill = due.balance(D("90.00"), [D("8.00")], deposit_captured=D("18.00"))
    assert (bill.total, bill.deposit_kept, bill.due) == (D("98.00"), D("18.00"), D("80.00"))
    later = due.balance(D("90.00"), [D("8.00")], D("18.00"), balance_payments=[D("80.00")])
    assert later.due == D("0.00") and later.paid_in_full


def test_a_refunded_deposit_no_longer_counts_and_overpayment_never_goes_below_zero():
    assert due.balance(D("90"), deposit_captured=D("18"), deposit_refunded=D("9")).due == D("81.00")
    assert due.balance(D("50"), deposit_captured=D("60")).due == D("0.00")


@pytest.mark.parametrize(("choice", "other", "tip"), [
    ("none", "", D("0.00")), ("10", "", D("8.00")), ("15", "", D("12.00")), ("20", "", D("16.00")),
    ("other", "7.5", D("7.50")), ("other", "0", D("0.00")), ("other", "3,25", D("3.25")),
])
def test_tips(choice, other, tip):
    assert due.tip_amount(D("80.00"), choice, other, D("500")) == tip


def test_percent_tips_round_half_up_to_the_cent():
    assert due.tip_amount(D("33.35"), "15") == D("5.00")  # 5.0025
    assert due.tip_amount(D("0.05"), "10") == D("0.01")  # 0.005


@pytest.mark.parametrize(("choice", "other", "code"), [
    ("other", "-1", "negative"), ("other", "abc", "number"), ("other", "1.005", "decimals"),
    ("other", "500.01", "too_much"), ("25", "", "choice"), ("other", "NaN", "negative"), ("other", "inf", "negative"),
])
def test_bad_tips_are_refused_with_a_reason(choice, other, code):
    with pytest.raises(due.TipError) as refused:
        due.tip_amount(D("80.00"), choice, other, D("500"))
    assert refused.value.code == code


def test_the_tip_ceiling_is_the_cap_or_the_balance_if_larger():
    assert due.tip_maximum(D("80"), D("500")) == D("500.00")
    assert due.tip_maximum(D("900"), D("500")) == D("900.00")
