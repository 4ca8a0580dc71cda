"""Gift card tests use the checkout's Stripe fake and paid service."""

from tests.checkout.conftest import checkout, massage, stripe_client, stripe_fake, stripe_server  # noqa: F401
