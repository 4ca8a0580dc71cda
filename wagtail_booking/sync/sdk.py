"""Google's SDKs load on first use, so the package runs without the ``[google]`` extra until a provider connects."""

import importlib
import importlib.util


def available() -> bool:
    return all(importlib.util.find_spec(name) for name in ("googleapiclient", "google_auth_oauthlib", "httplib2"))


class _LazyGateway:
    """Stands in for ``wagtail_booking.sync.gateway``; the first attribute read imports it (and the SDKs)."""

    def __getattr__(self, name):
        return getattr(importlib.import_module("wagtail_booking.sync.gateway"), name)


gateway = _LazyGateway()
