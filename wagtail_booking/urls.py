"""Include with ``path("booking/", include("wagtail_booking.urls"))``."""

from django.urls import include, path

from . import health
from .api.views import api
from .blocks import embed as embed_views
from .blocks import manage as manage_views
from .blocks import series as series_views
from .blocks import views as block_views
from .checkout import client_views as card_views
from .checkout import views as checkout_views
from .checkout.balances import views as balance_views
from .clients import views as client_views
from .giftcards import views as giftcard_views
from .notifications import views as notification_views
from .packages import views as package_views
from .sync import views as sync_views
from .waitlist import views as waitlist_views

app_name = "wagtail_booking"

urlpatterns = [
    path("api/", api.urls),
    path("health/", health.health, name="health"),
    path("book/<int:service_id>/", block_views.book, name="book"),
    path("book/<int:service_id>/series/", series_views.book_series, name="book-series"),
    path("booked/<str:reference>/<str:token>/", block_views.booked, name="booked"),
    path("manage/<str:reference>/<str:token>/", manage_views.manage, name="manage"),
    path("booked/<str:reference>/<str:token>/calendar.ics", block_views.booking_ics, name="booking-ics"),
    path("embed/<int:service_id>/", embed_views.embed, name="embed"),
    path("embed/<int:service_id>/book/", embed_views.embed_book, name="embed-book"),
    path("embed/booked/<str:reference>/<str:token>/", embed_views.embed_booked, name="embed-booked"),
    path("my-bookings/", client_views.request_link, name="my-bookings"),
    path("my-bookings/list/", client_views.booking_list, name="my-bookings-list"),
    path("my-bookings/open/<str:token>/", client_views.open_link, name="my-bookings-open"),
    path("account/bookings/", client_views.account_bookings, name="account-bookings"),
    path("pay/<str:reference>/<str:token>/", checkout_views.pay, name="pay"),
    path("packages/<int:package_id>/", package_views.package, name="package"),
    path("packages/bought/<str:number>/", package_views.bought, name="package-bought"),
    path("credit/<str:reference>/<str:token>/", package_views.use_credit, name="use-credit"),
    path("gift-cards/buy/", giftcard_views.buy, name="giftcard-buy"),
    path("gift-cards/apply/", giftcard_views.apply, name="giftcard-apply"),
    path("gift-cards/remove/<int:card_id>/", giftcard_views.remove, name="giftcard-remove"),
    path("card/<str:reference>/<str:token>/", card_views.save_card, name="save-card"),
    path("card/<str:reference>/<str:token>/done/", card_views.card_saved, name="card-saved"),
    path("fee/<int:fee_id>/<str:token>/", card_views.authenticate_fee, name="fee-authenticate"),
    path("fee/<int:fee_id>/<str:token>/done/", card_views.fee_authenticated, name="fee-authenticated"),
    path("balance/<str:reference>/<str:token>/", balance_views.balance, name="balance"),
    path("stripe/webhook/", checkout_views.stripe_webhook, name="stripe-webhook"),
    path("stripe/connect-webhook/", checkout_views.stripe_connect_webhook, name="stripe-connect-webhook"),
    path("documents/", include("wagtail_booking.reports.urls")),
    path("sms/status/", notification_views.sms_status, name="sms-status"),
    path("sms/inbound/", notification_views.sms_inbound, name="sms-inbound"),
    path("google/push/", sync_views.google_push, name="google-push"),
    path("calendar-push/<slug:kind>/", sync_views.calendar_push, name="calendar-push"),
    path("waitlist/join/<int:service_id>/", waitlist_views.join, name="waitlist-join"),
    path("waitlist/leave/<int:entry_id>/<str:token>/", waitlist_views.leave, name="waitlist-leave"),
    path("waitlist/claim/<str:token>/", waitlist_views.claim, name="waitlist-claim"),
    path("ical/<int:provider_id>/<str:token>.ics", sync_views.ical_feed, name="ical-feed"),
]
