"""Staff see only the businesses they work in (``businesses.sites_for_user``), whatever admin URL they type.

Three pieces every booking viewset uses:

* ``BusinessScopedViewSetMixin`` narrows the listing and the chooser to the user's businesses and puts a guard in
  front of every URL of the viewset that names an object (``<pk>``): another business's object is a 404, for GET
  and POST alike, so its existence is not revealed. Views added to a viewset later are guarded without more code.
* ``BusinessFilterSet`` adds a "Business" filter for people who work in several businesses, and offers only the
  user's businesses' rows in the other filters.
* ``BusinessFormMixin`` offers only the user's businesses in a form's ``site`` field and its links to other rows,
  and refuses a link to a row of another business than the form's own.
"""

from functools import wraps

import django_filters
from django import forms
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.models import Site

from ..businesses import has_several_businesses, sites_for_user, user_site_ids, visible_to


def business_path(model) -> str | None:
    """How a row of ``model`` names its business: ``"site"``, or ``"provider__site"`` for rows of a provider."""
    names = {field.name for field in model._meta.get_fields()}
    if "site" in names:
        return "site"
    if "provider" in names:
        return "provider__site"
    if "booking" in names:
        return "booking__site"
    return None


def guard_object_urls(patterns, model, path, rows=None):
    """Wrap every pattern with a ``pk`` in a check that the object belongs to one of the user's businesses (and,
    with ``rows``, a callable returning a queryset, is one of those rows: a viewset showing part of a table)."""

    def guard(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None:
                named = (rows() if rows else model._default_manager.all()).filter(pk=unquote(str(pk)))
                if not visible_to(named, request.user, path).exists():
                    raise Http404("No such object in the businesses you work in.")
            return view(request, *args, **kwargs)

        return guarded

    for pattern in patterns:
        if "pk" in pattern.pattern.converters:
            pattern.callback = guard(pattern.callback)
    return patterns


class BusinessScopedViewSetMixin:
    """For a ``ModelViewSet`` or ``SnippetViewSet`` whose model's rows belong to a business."""

    def scoped_queryset(self, request):
        return visible_to(self.own_rows(), request.user, business_path(self.model))

    def own_rows(self):
        """The rows this viewset lists and opens, before scoping (a subclass showing part of a table narrows it)."""
        return self.model._default_manager.all()

    def get_urlpatterns(self):
        return guard_object_urls(super().get_urlpatterns(), self.model, business_path(self.model), self.own_rows)


def _sites(request):
    return sites_for_user(request.user).order_by("site_name", "hostname")


def scoped_choices(model, path=None):
    """A filter's queryset callable: ``model``'s rows of the requesting user's businesses."""

    def queryset(request):
        rows = model._default_manager.all()
        return visible_to(rows, request.user, path or business_path(model)) if request else rows.none()

    return queryset


class BusinessFilterSet(WagtailFilterSet):
    """Adds "Business" (only for someone working in several) to a listing's filters."""

    site = django_filters.ModelChoiceFilter(label=_("Business"), queryset=_sites, empty_label=_("All businesses"))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None or not has_several_businesses(request.user):
            self.filters.pop("site", None)


def filterset_for(model, fields=(), path=None):
    """A ``BusinessFilterSet`` over ``model`` with ``fields``; relation filters offer the user's rows only."""
    path = path or business_path(model)
    attrs = {"Meta": type("Meta", (), {"model": model, "fields": list(fields)})}
    if path != "site":
        attrs["site"] = django_filters.ModelChoiceFilter(label=_("Business"), queryset=_sites, field_name=path,
                                                         empty_label=_("All businesses"))
    for name in fields:
        field = model._meta.get_field(name)
        if field.is_relation:
            related = field.related_model
            filter_class = django_filters.ModelMultipleChoiceFilter if field.many_to_many or field.one_to_many \
                else django_filters.ModelChoiceFilter
            label = str(getattr(field, "verbose_name", name)).capitalize()
            attrs[name] = filter_class(queryset=scoped_choices(related), label=label)
    return type(f"{model.__name__}BusinessFilterSet", (BusinessFilterSet,), attrs)


class BusinessFormMixin:
    """A model form for a row of one business, used by staff who may work in several.

    The ``site`` field lists the user's businesses, is hidden when they work in only one, and cannot be changed
    once the row exists (its bookings, invoices and links stay with that business). Every choice of another row
    that has a business (a service's providers, intake form, policy; a busy block's provider) lists the user's
    businesses' rows (once the row exists, its own business's rows only), and choosing one of another business
    than the form's own is a form error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        allowed = user_site_ids(user) if user is not None else set()
        site_field = self.fields.get("site")
        if site_field is not None:
            site_field.queryset = Site.objects.filter(pk__in=allowed).order_by("site_name", "hostname")
            site_field.empty_label = None
            site_field.disabled = bool(self.instance.pk) or len(allowed) == 1
            if len(allowed) == 1:
                site_field.initial = next(iter(allowed))
                site_field.widget = forms.HiddenInput()
        # A row that exists keeps its business: its choices are that business's rows only.
        own_site = getattr(self.instance, "site_id", None) if self.instance.pk else None
        for _name, field in self.linked_fields():
            path = business_path(field.queryset.model)
            field.queryset = visible_to(field.queryset, user, path)
            if own_site is not None:
                field.queryset = field.queryset.filter(**{path: own_site})

    def linked_fields(self):
        """(name, field) of every choice of a row that belongs to a business (the ``site`` field aside)."""
        for name, field in self.fields.items():
            if name != "site" and isinstance(field, forms.ModelChoiceField) \
                    and business_path(field.queryset.model) is not None:
                yield name, field

    def clean(self):
        data = super().clean()
        site = data.get("site") if "site" in self.fields else getattr(self.instance, "site", None)
        if site is None:
            return data
        for name, field in self.linked_fields():
            if not data.get(name):
                continue
            chosen = data[name] if isinstance(field, forms.ModelMultipleChoiceField) else [data[name]]
            path = business_path(field.queryset.model)
            strangers = [row for row in chosen if _site_id_of(row, path) != site.pk]
            if strangers:
                self.add_error(name, _("%(rows)s belong to another business than %(site)s.")
                               % {"rows": ", ".join(map(str, strangers)), "site": site})
        return data


def _site_id_of(row, path):
    for part in path.split("__")[:-1]:
        row = getattr(row, part)
    return row.site_id
