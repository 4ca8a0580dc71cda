"""Which business a request of the public API is for, and lookups limited to it.

An API key names its business: with a key, the key's site wins over the request's host, so a key of business A
never sees business B's services, slots or bookings, whatever host it is sent to. Without a key, the host decides.
"""

from ninja.errors import HttpError

from ..businesses import site_for_request
from ..snippets.models import Service


def site_id(request) -> int | None:
    api_key = getattr(request, "api_key", None)
    if api_key is not None:
        return api_key.site_id
    site = site_for_request(request)
    return site.pk if site else None


def active_service(request, service_id) -> Service:
    service = (Service.objects.filter(pk=service_id, active=True, site_id=site_id(request))
               .select_related("intake_form").first())
    if service is None:
        raise HttpError(404, f"There is no bookable service {service_id}.")
    return service


def offers(service, provider_id) -> bool:
    return service.providers.filter(pk=provider_id, active=True).exists()
