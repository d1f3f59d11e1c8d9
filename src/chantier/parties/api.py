"""Clients in the integration API (shared/API.md, "Resources used by every workflow").

Handlers are thin: fetch through the company-scoped selectors (404 for another
company's id), call one service, answer. The services' FieldErrors is keyed by
model field; it is answered here (400, every field) with the API's names
(`address.line1`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.schema import DjangoGetter
from pydantic import model_validator

from chantier.api.errors import ErrorOut, error_body, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.core.access import company_of
from chantier.core.exceptions import InUse
from chantier.core.models import User
from chantier.parties import selectors, services
from chantier.parties.exceptions import FieldErrors
from chantier.parties.models import Client

router = Router(tags=["clients"])

# API address field → model field.
ADDRESS_FIELDS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
}
API_NAMES = {model: f"address.{api}" for api, model in ADDRESS_FIELDS.items()}

ClientKind = Literal["company", "individual"]
NOT_BLANK = r"\S"
COUNTRY = r"^[A-Za-z]{2}$"


class ObjectIn(Schema):
    """A JSON object, nothing else (ninja would otherwise read a list as an empty object)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's own validator has already wrapped the input in a DjangoGetter.
        if not isinstance(data._obj if isinstance(data, DjangoGetter) else data, dict):
            raise ValueError("a JSON object is expected")
        return data


class AddressIn(ObjectIn):
    line1: str = Field(..., max_length=200)
    line2: str = Field("", max_length=200)
    postcode: str = Field(..., max_length=10)
    city: str = Field(..., max_length=100)
    country: str = Field("FR", description="ISO 3166 two-letter code", pattern=COUNTRY)


class AddressPatch(ObjectIn):
    line1: str | None = None
    line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


class AddressOut(Schema):
    line1: str
    line2: str
    postcode: str
    city: str
    country: str


class ClientIn(ObjectIn):
    name: str = Field(..., min_length=1, max_length=200, pattern=NOT_BLANK)
    kind: ClientKind = "company"
    siren: str = Field("", description="9 digits, spaces allowed")
    vat_number: str = Field("", description="Intra-community VAT number, e.g. FR40303265045")
    email: str = ""
    phone: str = ""
    notes: str = ""
    address: AddressIn


class ClientPatch(ObjectIn):
    """Only the fields sent change; null or absent leaves a field as it is."""

    name: str | None = None
    kind: ClientKind | None = None
    siren: str | None = None
    vat_number: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None
    address: AddressPatch | None = None


class ClientOut(Schema):
    id: int
    name: str
    kind: str
    siren: str
    vat_number: str
    email: str
    phone: str
    notes: str
    address: AddressOut

    @staticmethod
    def resolve_address(obj: Client) -> dict[str, str]:
        return {api: getattr(obj, model) for api, model in ADDRESS_FIELDS.items()}


def _user(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)  # the token's user (chantier.api.auth)
    if not isinstance(user, User):
        raise Http404("no user")
    return user


def _model_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Flatten the API body into model field names; None (in a PATCH) means unchanged."""
    address = data.pop("address", None) or {}
    fields = {name: value for name, value in data.items() if value is not None}
    for api, model in ADDRESS_FIELDS.items():
        if address.get(api) is not None:
            fields[model] = address[api]
    return fields


def _invalid(exc: FieldErrors) -> Status[dict[str, Any]]:
    """400 with one entry per faulty field, named as in the API body."""
    errors = [
        {
            "field": None if name == NON_FIELD_ERRORS else API_NAMES.get(name, name),
            "message": " ".join(messages),
        }
        for name, messages in exc.errors.items()
    ]
    return Status(400, error_body(exc.message, errors))


@router.post("/clients", response=responses({201: ClientOut}))
def create_client(request: HttpRequest, payload: ClientIn) -> Status[Any]:
    """Create a client. Invalid SIREN, VAT number or email: 400 naming each field."""
    try:
        client = services.client_create(user=_user(request), **_model_fields(payload.dict()))
    except FieldErrors as exc:
        return _invalid(exc)
    return Status(201, client)


@router.get("/clients", response=responses({200: Page[ClientOut]}))
def list_clients(request: HttpRequest, params: Query[PageParams], q: str = "") -> dict[str, Any]:
    """The company's clients by name; `q` searches name, city and postcode."""
    queryset = selectors.client_list(company_of(_user(request)), q)
    return page_of(queryset, params)


@router.get("/clients/{client_id}", response=responses({200: ClientOut}))
def get_client(request: HttpRequest, client_id: int) -> Client:
    return selectors.get_client_for_user(_user(request), client_id)


@router.patch("/clients/{client_id}", response=responses({200: ClientOut}))
def update_client(request: HttpRequest, client_id: int, payload: ClientPatch) -> Status[Any]:
    user = _user(request)
    client = selectors.get_client_for_user(user, client_id)
    try:
        updated = services.client_update(
            user=user, client=client, **_model_fields(payload.dict(exclude_unset=True))
        )
    except FieldErrors as exc:
        return _invalid(exc)
    return Status(200, updated)


@router.delete("/clients/{client_id}", response=responses({204: None, 409: ErrorOut}))
def delete_client(request: HttpRequest, client_id: int) -> Status[Any]:
    """Delete a client; 409 while contacts, sites or documents still reference it."""
    user = _user(request)
    client = selectors.get_client_for_user(user, client_id)
    try:
        services.client_delete(user=user, client=client)
    except InUse as exc:
        return Status(409, error_body(exc.message))
    return Status(204, None)
