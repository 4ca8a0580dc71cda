"""A business is a Wagtail Site: which site a request, a new row or a link belongs to.

Every row that belongs to a business names its site (``site`` foreign key). A single-site install never has to
think about it: new rows default to the default site, and the public pages find the site from the request's host.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.models import Site


def default_site() -> Site | None:
    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def default_site_id() -> int | None:
    """Default for every ``site`` column, so rows made without naming a site belong to the default business."""
    site = default_site()
    return site.pk if site else None


def site_for_request(request) -> Site | None:
    """The business a public request is for: the site matching its host, else the default site (as Wagtail does)."""
    cached = getattr(request, "_wagtail_booking_site", None)
    if cached is None:
        cached = Site.find_for_request(request) or default_site()
        request._wagtail_booking_site = cached
    return cached


def site_root_url(site: Site | None) -> str:
    """Where links in emails and texts for ``site`` point: ``WAGTAILADMIN_BASE_URL`` for the default site when
    set (it is what a single-site install configures), else the site's own root URL."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    if site is None:
        return base or "http://localhost"
    if base and site.is_default_site:
        return base
    return site.root_url


BUSINESS_PERMISSION = "access_business"


def sites_for_user(user):
    """The businesses a staff user works in, as a Site queryset.

    Superusers: every site. Others: the sites where one of their groups has the "Can work in this business"
    site permission (Settings > Groups, as Wagtail's site settings do). An install with only one site needs no
    set-up: its staff work in that one business.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Site.objects.none()
    if user.is_superuser or Site.objects.count() <= 1:
        return Site.objects.all()
    return Site.objects.filter(
        group_permissions__group__user=user,
        group_permissions__permission__codename=BUSINESS_PERMISSION,
        group_permissions__permission__content_type__app_label="wagtail_booking",
    ).distinct()


def user_site_ids(user) -> set[int]:
    """``sites_for_user`` as a set of ids, worked out once per user object (a request's user)."""
    cached = getattr(user, "_wagtail_booking_site_ids", None)
    if cached is None:
        cached = set(sites_for_user(user).values_list("pk", flat=True))
        try:
            user._wagtail_booking_site_ids = cached
        except AttributeError:  # AnonymousUser and friends
            pass
    return cached


def visible_to(queryset, user, path: str = "site"):
    """``queryset`` narrowed to the rows of the businesses ``user`` works in; ``path`` leads from a row to its
    site (``"site"``, ``"provider__site"``, ``"booking__site"``). Every admin view reads rows through this."""
    return queryset.filter(**{f"{path}__in": user_site_ids(user)})


def has_several_businesses(user) -> bool:
    """Whether ``user`` works in more than one business: then listings and reports offer a "Business" filter and
    forms ask which business a new row belongs to."""
    return len(user_site_ids(user)) > 1


def chosen_business(request) -> Site:
    """The business an admin page is about: ``?site=`` (GET or POST) among the user's businesses, else the one they
    work in (:func:`working_site`). Http404 for a business the user does not work in; PermissionDenied for a user
    who works in none."""
    chosen = request.POST.get("site") or request.GET.get("site")
    if chosen:
        site = sites_for_user(request.user).filter(pk=chosen if str(chosen).isdigit() else None).first()
        if site is None:
            raise Http404("No such business among those you work in.")
        return site
    site = working_site(request)
    if site is None:
        raise PermissionDenied
    return site


def working_site(request) -> Site | None:
    """The business a staff request is about when the page does not say: the request's site if the user works
    there, else the first business they work in (None when they work in none)."""
    allowed = user_site_ids(request.user)
    site = site_for_request(request)
    if site is not None and site.pk in allowed:
        return site
    return Site.objects.filter(pk__in=allowed).order_by("pk").first()
