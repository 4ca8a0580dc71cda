"""API-key authentication (``Authorization: Bearer wbk_...``) and per-key rate limits for the public API."""

from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from ..throttling import AddressThrottle
from .keys import KEY_PREFIX, find_key, touch

ANONYMOUS = "anonymous"  # what an optional check returns for a request without a key (ninja wants a true value)


class ApiKeyBearer(HttpBearer):
    """Requires an active API key holding ``scope``; with ``optional`` a request without a key passes as before.

    The key found is put on ``request.api_key``: its business wins over the request's host (see ``views._site_id``).
    """

    openapi_security_schema = {"type": "http", "scheme": "bearer", "bearerFormat": "wbk_<prefix>_<secret>",
                               "description": "An API key from the admin (Settings > API keys)."}

    def __init__(self, scope: str | None = None, optional: bool = False):
        self.scope, self.optional = scope, optional

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip().startswith(KEY_PREFIX):
            if self.optional:  # no key (or a header meant for something else, e.g. a staging site's Basic auth)
                return ANONYMOUS
            raise AuthenticationError(401, "Send an API key: Authorization: Bearer wbk_...")
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        api_key = find_key(token)
        if api_key is None:
            raise AuthenticationError(401, "This API key is unknown or was revoked.")
        if self.scope and not api_key.has_scope(self.scope):
            raise AuthorizationError(403, f"This API key lacks the {self.scope!r} scope.")
        request.api_key = api_key
        touch(api_key)
        return api_key


class KeyThrottle(AddressThrottle):
    """The per-address limits, counted per API key for requests that carry one (an integrator's calls for many
    clients come from one address; each key gets its own allowance instead)."""

    def get_ident(self, request) -> str:
        api_key = getattr(request, "api_key", None)
        return f"key:{api_key.pk}" if api_key is not None else super().get_ident(request)
