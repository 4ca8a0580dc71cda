"""The loopback Stripe fake on a free port, and the real stripe-python client pointed at it."""

import pytest
import stripe
from fakes.stripe_server import FakeStripe


@pytest.fixture
def fake():
    fake = FakeStripe()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def client(fake):
    return stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0)
