"""Template context for sites that run Oscar's shop and the Wagtail admin side by side."""

from django.urls import NoReverseMatch, reverse
from oscar.apps.search.context_processors import search_form as oscar_search_form


def shop_search_form(request):
    """Oscar's ``search_form`` context processor, kept out of the Wagtail admin.

    Oscar's processor puts its product search form in every template's context as ``search_form``; Wagtail's admin
    headers draw a ``search_form`` when a view does not set its own, so listings with filters but no search (the
    booking reports, Wagtail's own reports) showed the shop's "Relevancy / Customer rating / Price" fields. Use
    this in ``TEMPLATES[...]["OPTIONS"]["context_processors"]`` instead of
    ``oscar.apps.search.context_processors.search_form``.
    """
    try:
        admin_root = reverse("wagtailadmin_home")
    except NoReverseMatch:
        admin_root = None
    if admin_root and request.path.startswith(admin_root):
        return {}
    return oscar_search_form(request)
