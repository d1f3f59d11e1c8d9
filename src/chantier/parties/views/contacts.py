"""Contacts: people at a client or a supplier."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chantier.core.access import acting_user, writer_required
from chantier.core.models import User
from chantier.core.web import posted
from chantier.parties import selectors, services
from chantier.parties.forms import ContactForm
from chantier.parties.models import Client, Contact, Supplier
from chantier.parties.views.common import (
    confirm_delete,
    render_form,
    save_form,
)


def _owner_url(owner: Client | Supplier | None) -> str:
    if isinstance(owner, Client):
        return reverse("parties:client_detail", args=[owner.pk]) + "#contacts"
    if isinstance(owner, Supplier):
        return reverse("parties:supplier_detail", args=[owner.pk]) + "#contacts"
    return reverse("parties:client_list")


def _contact_create(
    request: HttpRequest, user: User, *, client: Client | None, supplier: Supplier | None
) -> HttpResponse:
    owner = client or supplier
    form = ContactForm(posted(request))
    if request.method == "POST":
        contact = save_form(
            form,
            lambda data: services.contact_create(
                user=user, client=client, supplier=supplier, **data
            ),
        )
        if contact is not None:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact})
            return redirect(_owner_url(owner))
    title = _("New contact at %(name)s") % {"name": owner}
    return render_form(request, form, title=title, cancel_url=_owner_url(owner))


@writer_required
@require_http_methods(["GET", "POST"])
def client_contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    client = selectors.get_client_for_user(user, pk)
    return _contact_create(request, user, client=client, supplier=None)


@writer_required
@require_http_methods(["GET", "POST"])
def supplier_contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    supplier = selectors.get_supplier_for_user(user, pk)
    return _contact_create(request, user, client=None, supplier=supplier)


def _contact_owner_url(contact: Contact) -> str:
    return _owner_url(contact.client or contact.supplier)


@writer_required
@require_http_methods(["GET", "POST"])
def contact_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = selectors.get_contact_for_user(user, pk)
    name = str(contact)  # the form changes the instance as it validates
    form = ContactForm(posted(request), instance=contact)
    if request.method == "POST":
        saved = save_form(
            form, lambda data: services.contact_update(user=user, contact=contact, **data)
        )
        if saved is not None:
            messages.success(request, _("Contact %(name)s saved.") % {"name": saved})
            return redirect(_contact_owner_url(contact))
    return render_form(
        request,
        form,
        title=_("Edit contact %(name)s") % {"name": name},
        cancel_url=_contact_owner_url(contact),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = selectors.get_contact_for_user(user, pk)
    return confirm_delete(
        request,
        contact,
        delete=lambda: services.contact_delete(user=user, contact=contact),
        cancel_url=_contact_owner_url(contact),
        done_url=_contact_owner_url(contact),
        done_message=_("Contact %(name)s deleted.") % {"name": contact},
    )
