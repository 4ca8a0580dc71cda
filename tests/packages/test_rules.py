"""The credit rules as plain functions (no database)."""

from datetime import UTC, datetime
from decimal import Decimal

from wagtail_booking.packages.credits import credit_comes_back, hash_code
from wagtail_booking.packages.fulfil import add_months


def test_the_credit_comes_back_when_the_policy_refunds_in_full_or_the_business_cancels():
    assert credit_comes_back("client", Decimal("100"))
    assert not credit_comes_back("client", Decimal("50"))
    assert not credit_comes_back("client", Decimal("0"))
    assert credit_comes_back("business", Decimal("0"))


def test_validity_in_months_ends_on_the_last_day_of_a_shorter_month():
    assert add_months(datetime(2027, 8, 31, 15, tzinfo=UTC), 6) == datetime(2028, 2, 29, 15, tzinfo=UTC)
    assert add_months(datetime(2027, 3, 10, 15, tzinfo=UTC), 12) == datetime(2028, 3, 10, 15, tzinfo=UTC)
    assert add_months(datetime(2027, 11, 30, tzinfo=UTC), 3) == datetime(2028, 2, 29, tzinfo=UTC)


def test_a_code_is_matched_however_it_is_typed():
    assert hash_code("ab12-cd34-ef56") == hash_code(" AB12 CD34 EF56 ") != hash_code("AB12-CD34-EF57")
