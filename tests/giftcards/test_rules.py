"""Codes and gift card arithmetic, without a database."""

from decimal import Decimal as D

from wagtail_booking.giftcards import codes, rules


def test_codes_are_long_random_and_typeable():
    made = {codes.generate() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == 16 and not set(code) & set("0O1I")
    code = made.pop()
    typed = " " + codes.grouped(code).lower().replace("-", " - ") + " "
    assert codes.normalise(typed) == code
    assert codes.grouped(code).count("-") == 3


def test_a_code_with_an_ambiguous_or_missing_character_is_no_code():
    assert codes.normalise("ABCD-EFGH-JKLM-NPQ0") is None
    assert codes.normalise("ABCD-EFGH-JKLM-NPQ") is None
    assert codes.normalise("") is None and codes.normalise(None) is None


def test_what_a_card_pays_is_its_balance_less_other_holds_at_most_the_due():
    assert rules.applicable(D("25.50"), D("0"), D("18.00")) == D("18.00")
    assert rules.applicable(D("7.50"), D("0"), D("18.00")) == D("7.50")
    assert rules.applicable(D("25.50"), D("20.00"), D("18.00")) == D("5.50")
    assert rules.applicable(D("10.00"), D("12.00"), D("18.00")) == D("0")


def test_a_refund_goes_to_the_gift_card_first():
    assert rules.split_refund(D("18.00"), D("7.50"), D("0")) == (D("7.50"), D("10.50"))
    assert rules.split_refund(D("5.00"), D("7.50"), D("0")) == (D("5.00"), D("0"))
    assert rules.split_refund(D("5.00"), D("7.50"), D("5.00")) == (D("2.50"), D("2.50"))


def test_amounts_must_be_whole_cents_in_range():
    assert rules.amount_in_range(D("25.50"), D("10"), D("500"))
    assert not rules.amount_in_range(D("9.99"), D("10"), D("500"))
    assert not rules.amount_in_range(D("10.001"), D("10"), D("500"))
    assert not rules.amount_in_range(D("NaN"), D("10"), D("500"))
