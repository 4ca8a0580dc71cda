from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet

from .admin import dashboard, staff_links
from .admin import giftcards as giftcards_admin
from .admin import series as series_admin
from .admin.bookings import booking_viewset
from .admin.permissions import BusinessAccessForm
from .admin.snippets import BookingSetupGroup, ScopedDeleteBulkAction
from .reports import admin as reports_admin
from .site_settings import BusinessSettings

register_snippet(BookingSetupGroup)
# After Wagtail's own snippet bulk delete (order 0), so ours is the one used for our snippets.
hooks.register("register_bulk_action", ScopedDeleteBulkAction, order=1)
hooks.register("register_group_permission_panel", lambda: BusinessAccessForm)


@hooks.register("register_admin_viewset")
def register_booking_viewset():
    return booking_viewset


@hooks.register("register_log_actions")
def register_booking_log_actions(actions):
    from .admin.credits import register_log_actions as register_credit_actions
    from .bookings.history import register_log_actions

    register_log_actions(actions)
    register_credit_actions(actions)


@hooks.register("register_admin_urls")
def register_credit_urls():
    from .admin.credits import urlpatterns

    return urlpatterns()


class _CreditsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtail_booking.view_creditpurchase")


@hooks.register("register_admin_menu_item")
def register_credits_menu_item():
    return _CreditsMenuItem("Package credits", reverse("wagtail_booking_credits"), icon_name="tag", order=207)


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    panels.extend(dashboard.panels_for(request))


hooks.register("register_admin_urls", staff_links.urlpatterns)
hooks.register("register_admin_urls", series_admin.urlpatterns)


register_setting(BusinessSettings, icon="site")


@hooks.register("register_admin_urls")
def register_report_urls():
    return reports_admin.urls()


for _report_menu_item in reports_admin.MENU_ITEMS:  # one Reports-menu entry per report, shown to owners only
    hooks.register("register_reports_menu_item", _report_menu_item)


@hooks.register("register_admin_urls")
def register_sms_urls():
    from .notifications.admin_views import sms_overview

    return [path("booking/sms/", sms_overview, name="wagtail_booking_sms")]


class _SmsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtail_booking.view_smsmessage")


@hooks.register("register_admin_menu_item")
def register_sms_menu_item():
    return _SmsMenuItem("Text messages", reverse("wagtail_booking_sms"), icon_name="mail", order=206)


@hooks.register("register_admin_urls")
def register_gift_card_urls():
    return giftcards_admin.urlpatterns


class _GiftCardMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(giftcards_admin.VIEW)


@hooks.register("register_admin_menu_item")
def register_gift_card_menu_item():
    return _GiftCardMenuItem("Gift cards", reverse("wagtail_booking_giftcards"), icon_name="pick", order=207)


@hooks.register("register_admin_urls")
def register_calendar_sync_urls():
    from .sync.admin_views import urlpatterns

    return urlpatterns()


@hooks.register("register_admin_menu_item")
def register_calendar_sync_menu_item():
    from .sync.admin_views import menu_item

    return menu_item()


@hooks.register("register_admin_urls")
def register_payments_account_urls():
    from .checkout.connect_admin import urlpatterns

    return urlpatterns()


@hooks.register("register_admin_menu_item")
def register_payments_account_menu_item():
    from .checkout.connect_admin import menu_item

    return menu_item()


@hooks.register("register_admin_urls")
def register_webhook_urls():
    from .webhooks.admin_views import urlpatterns

    return urlpatterns()


@hooks.register("register_admin_menu_item")
def register_webhooks_menu_item():
    from .webhooks.admin_views import menu_item

    return menu_item()


@hooks.register("register_permissions")
def register_booking_permissions():
    """Offer the bookings and text-message permissions in Wagtail's group editor."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="wagtail_booking", codename__in=[
        "view_booking", "add_booking", "change_booking", "manage_bookings", "view_smsmessage",
        "manage_payments_account", "view_webhookendpoint", "add_webhookendpoint", "change_webhookendpoint"])


@hooks.register("register_admin_urls")
def register_api_key_urls():
    from .api.admin_views import urlpatterns

    return urlpatterns()


@hooks.register("register_settings_menu_item")
def register_api_keys_menu_item():
    from .api.admin_views import menu_item

    return menu_item()


@hooks.register("register_permissions")
def register_api_key_permissions():
    from django.contrib.auth.models import Permission

    from .api.admin_views import PERMISSIONS

    return Permission.objects.filter(content_type__app_label="wagtail_booking", codename__in=PERMISSIONS)


@hooks.register("register_admin_urls")
def register_embed_code_urls():
    from .blocks.embed_admin import urlpatterns

    return urlpatterns()


@hooks.register("register_snippet_listing_buttons")
def register_embed_code_button(snippet, user, next_url=None):
    from .blocks.embed_admin import listing_buttons

    return listing_buttons(snippet, user)


@hooks.register("register_admin_urls")
def register_calendar_urls():
    from .admin.calendar_urls import urlpatterns

    return urlpatterns()


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    from .admin.calendar_urls import menu_item

    return menu_item()


@hooks.register("register_admin_urls")
def register_waitlist_urls():
    from .admin.waitlist import urlpatterns

    return urlpatterns


class _WaitlistMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtail_booking.view_waitlistentry")


@hooks.register("register_admin_menu_item")
def register_waitlist_menu_item():
    return _WaitlistMenuItem("Waitlist", reverse("wagtail_booking_waitlist"), icon_name="list-ol", order=205)
