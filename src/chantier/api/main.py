"""The integration API v1 (shared/API.md): one NinjaAPI, one router per app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from chantier.api.auth import BearerToken
from chantier.api.errors import error_body
from chantier.core.exceptions import (
    NON_FIELD_ERRORS,
    DomainError,
    FieldErrors,
    InUse,
    PermissionDenied,
    StaleEdit,
)

api = NinjaAPI(
    title="Chantier API",
    version="1",
    description="Integration API v1. Auth: `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(_("Not found.")), status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        error_body(_("Missing or invalid token (Authorization: Bearer <token>).")),
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body(exc.message), status=403)


@api.exception_handler(InUse)
def in_use(request: HttpRequest, exc: InUse) -> HttpResponse:
    return api.create_response(request, error_body(exc.message), status=409)


@api.exception_handler(StaleEdit)
def stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    return api.create_response(request, error_body(exc.message), status=409)


@api.exception_handler(FieldErrors)
def field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
    errors = [
        {"field": None if name == NON_FIELD_ERRORS else name, "message": " ".join(messages)}
        for name, messages in exc.errors.items()
    ]
    return api.create_response(request, error_body(exc.message, errors), status=400)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return api.create_response(request, error_body(exc.message, errors), status=400)


@api.exception_handler(ValidationError)
def model_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": field, "message": " ".join(str(m) for m in msgs)}
        for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items()
    ]
    return api.create_response(request, error_body(_("Invalid data."), errors), status=400)


@api.exception_handler(NinjaValidationError)
def request_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        # Ninja puts where the value came from first ("body", "form", "file"…): drop it, so
        # the field is named as the client sent it ("client_id", not "form.client_id").
        while len(loc) > 1 and loc[0] in (
            "body",
            "query",
            "path",
            "payload",
            "form",
            "file",
            "header",
        ):
            loc = loc[1:]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    return api.create_response(request, error_body(_("Invalid request."), errors), status=422)


def unknown_route(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other /api/v1/ path: the API's JSON error shape, not Django's HTML page."""
    return api.create_response(request, error_body(_("No such API route.")), status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own errors (e.g. a body that is not JSON) in the API's error shape."""
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)


def _register_routers() -> None:
    from chantier.billing.api import router as billing_router
    from chantier.billing.payment_api import router as payments_router
    from chantier.catalogue.api import router as catalogue_router
    from chantier.contracts.api import router as contracts_router
    from chantier.contracts.change_order_api import router as change_orders_router
    from chantier.contracts.service_order_api import router as service_orders_router
    from chantier.parties.api import router as parties_router
    from chantier.quotes.api import router as quotes_router
    from chantier.works.api import router as works_router

    api.add_router("/", parties_router)
    api.add_router("/", catalogue_router)
    api.add_router("/", quotes_router)
    api.add_router("/", contracts_router)
    api.add_router("/", change_orders_router)
    api.add_router("/", service_orders_router)
    api.add_router("/", works_router)
    api.add_router("/", payments_router)  # before /invoices/{id}: /invoices/overdue
    api.add_router("/", billing_router)


_register_routers()
