"""Teach Schemathesis the two things the OpenAPI schema can only say in words.

* ``format: phone``: a number valid for its country (checked with ``phonenumbers``); any other string is refused.
* The slots endpoint's ``end`` is on or after ``start`` and at most MAX_RANGE_DAYS days from it: JSON Schema
  cannot compare two parameters, so the parameter's description states it.

Loaded by the Schemathesis run in ``test_schema_fuzz.py`` (``SCHEMATHESIS_HOOKS``).
"""

from datetime import date

import phonenumbers
import schemathesis
from hypothesis import strategies as st

MAX_RANGE_DAYS = 62
REGIONS = ["US", "GB", "FR", "DE", "JP", "AU", "BR", "IN"]


def _numbers():
    for region in REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                yield phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


schemathesis.openapi.format("phone", st.sampled_from(sorted(set(_numbers()))))


@schemathesis.hook
def filter_query(context, query):
    if context.operation is None or not context.operation.path.endswith("/slots"):
        return True
    try:
        start, end = date.fromisoformat(query["start"]), date.fromisoformat(query["end"])
    except (KeyError, TypeError, ValueError):
        return True  # malformed dates are for the API to refuse
    return 0 <= (end - start).days < MAX_RANGE_DAYS
