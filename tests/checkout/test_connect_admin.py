"""The Payments (Stripe) admin page: onboarding through the fake's hosted page, and who may use it."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Site

from tests.fakes.test_stripe_fake import NO_REDIRECT, http
from wagtail_booking.checkout.models import StripeAccount

pytestmark = pytest.mark.django_db

PAGE = "/admin/booking/payments/"


@pytest.fixture
def owner(client, site_root, stripe_fake, django_user_model):
    user = django_user_model.objects.create_superuser("operator", "operator@example.com", "pw")
    client.force_login(user)
    return client


def test_onboarding_through_stripe_hosted_page(owner, stripe_fake, stripe_client):
    assert reverse("wagtail_booking_payments") == PAGE
    page = owner.get(PAGE).content.decode()
    assert "Not connected: deposits are taken on the platform&#x27;s Stripe account." in page

    response = owner.post(reverse("wagtail_booking_payments_connect"), {"kind": "express"})
    assert response.status_code == 302 and response["Location"].startswith(f"{stripe_fake.url}/connect/onboarding/")
    account = StripeAccount.objects.get()
    assert (account.kind, account.charges_enabled) == ("express", False)
    # The owner fills in Stripe's page and is sent back to our return view.
    status, _, body = http("GET", response["Location"])
    assert status == 200 and b"Agree and submit" in body
    status, headers, _ = http("POST", response["Location"], {"action": "complete"}, opener=NO_REDIRECT)
    back = urlsplit(headers["Location"])
    assert status == 303 and back.path == reverse("wagtail_booking_payments_return")

    response = owner.get(f"{back.path}?{back.query}", follow=True)
    assert "Ready to take payments." in response.content.decode()
    account.refresh_from_db()
    assert (account.charges_enabled, account.details_submitted, account.payouts_enabled) == (True, True, True)
    # Connecting again makes no second account.
    owner.post(reverse("wagtail_booking_payments_connect"), {"kind": "standard"})
    assert StripeAccount.objects.count() == 1 and len(stripe_fake.accounts) == 1


def test_owner_who_leaves_onboarding_is_told_stripe_needs_more(owner, stripe_fake):
    location = owner.post(reverse("wagtail_booking_payments_connect"), {"kind": "standard"})["Location"]
    _, headers, _ = http("POST", location, {"action": "later"}, opener=NO_REDIRECT)
    back = urlsplit(headers["Location"])
    page = owner.get(f"{back.path}?{back.query}", follow=True).content.decode()
    assert "Stripe needs more details before this business can take payments." in page
    # An used link sends the owner to the refresh view, which makes a fresh one.
    _, headers, _ = http("GET", location, opener=NO_REDIRECT)
    refresh = urlsplit(headers["Location"])
    again = owner.get(f"{refresh.path}?{refresh.query}")
    assert again.status_code == 302 and again["Location"] != location and "/connect/onboarding/" in again["Location"]


def test_unknown_kind_is_refused_with_a_message(owner, stripe_fake):
    response = owner.post(reverse("wagtail_booking_payments_connect"), {"kind": "custom"}, follow=True)
    assert "Choose Standard or Express" in response.content.decode()
    assert not StripeAccount.objects.exists() and stripe_fake.accounts == {}


def admin_user(django_user_model, name, *codenames):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw")
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          *Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    return user


def test_staff_without_the_permission_cannot_see_or_connect(client, site_root, stripe_fake, django_user_model):
    client.force_login(admin_user(django_user_model, "editor"))
    assert client.get(PAGE).status_code in (302, 403)
    response = client.post(reverse("wagtail_booking_payments_connect"), {"kind": "standard"})
    assert response.status_code in (302, 403) and not response.get("Location", "").startswith(stripe_fake.url)
    assert stripe_fake.accounts == {} and not StripeAccount.objects.exists()


def test_permitted_staff_manage_their_own_business_only_and_cannot_set_fees(
        client, site_root, stripe_fake, django_user_model, settings):
    from wagtail.models import GroupSitePermission

    settings.ALLOWED_HOSTS = ["testserver", "other.test"]
    home = Site.objects.get()
    other = Site.objects.create(hostname="other.test", port=80, root_page=home.root_page, site_name="Other")
    manager = admin_user(django_user_model, "manager", "manage_payments_account")
    GroupSitePermission.objects.create(group=manager.groups.get(), site=home, permission=Permission.objects.get(
        codename="access_business"))
    client.force_login(manager)
    assert client.get(PAGE).status_code == 200
    # Another business, named in the form or by the host typed: never theirs to connect.
    assert client.post(reverse("wagtail_booking_payments_connect"), {"kind": "standard",
                                                                      "site": other.pk}).status_code == 404
    on_other_host = client.get(PAGE, HTTP_HOST="other.test")
    assert on_other_host.status_code == 200 and "Stripe account of Other" not in on_other_host.content.decode()
    assert not StripeAccount.objects.exists()
    client.post(reverse("wagtail_booking_payments_connect"), {"kind": "standard"})
    assert StripeAccount.objects.get().site == home
    response = client.post(reverse("wagtail_booking_payments_fees"), {"fee_percent": "0", "fee_fixed": "0"})
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    assert StripeAccount.objects.get().fee_percent is None


def test_operator_sets_the_fee_and_bad_input_is_a_message(owner, stripe_fake):
    owner.post(reverse("wagtail_booking_payments_connect"), {"kind": "standard"})
    owner.post(reverse("wagtail_booking_payments_fees"), {"fee_percent": "2.5", "fee_fixed": "0.30"})
    account = StripeAccount.objects.get()
    assert (str(account.fee_percent), str(account.fee_fixed)) == ("2.50", "0.30")
    response = owner.post(reverse("wagtail_booking_payments_fees"), {"fee_percent": "150", "fee_fixed": ""},
                          follow=True)
    assert response.status_code == 200 and "The fee was not saved" in response.content.decode()
    account.refresh_from_db()
    assert str(account.fee_percent) == "2.50"
