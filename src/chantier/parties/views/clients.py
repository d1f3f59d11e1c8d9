"""Client pages: list, detail, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chantier.core.access import acting_user, writer_required
from chantier.core.pagination import paginate
from chantier.core.web import company_of_request, posted
from chantier.parties import selectors, services
from chantier.parties.forms import ClientForm, InteractionForm
from chantier.parties.views.common import (
    confirm_delete,
    render_form,
    save_form,
)


def client_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.client_list(company_of_request(request), request.GET.get("q", ""))
    return render(request, "parties/client_list.html", paginate(request, queryset))


def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from chantier.billing.account_selectors import payment_list

    client = selectors.client_detail_for_user(acting_user(request), pk)
    payments = payment_list(client.company, client=client)
    context = {
        "client": client,
        "interaction_form": InteractionForm(),
        # Seed 002: a client's payments are recorded and seen from its page too.
        "payments": list(payments[:PAYMENTS_SHOWN]),
        "payment_count": payments.count(),
    }
    return render(request, "parties/client_detail.html", context)


PAYMENTS_SHOWN = 10


@writer_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ClientForm(posted(request))
    if request.method == "POST":
        client = save_form(form, lambda data: services.client_create(user=user, **data))
        if client is not None:
            messages.success(request, _("Client %(name)s created.") % {"name": client.name})
            return redirect("parties:client_detail", pk=client.pk)
    return render_form(
        request, form, title=_("New client"), cancel_url=reverse("parties:client_list")
    )


@writer_required
@require_http_methods(["GET", "POST"])
def client_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    client = selectors.get_client_for_user(user, pk)
    form = ClientForm(posted(request), instance=client)
    name = client.name  # the form changes the instance as it validates
    if request.method == "POST":
        saved = save_form(
            form, lambda data: services.client_update(user=user, client=client, **data)
        )
        if saved is not None:
            messages.success(request, _("Client %(name)s saved.") % {"name": saved.name})
            return redirect("parties:client_detail", pk=saved.pk)
    return render_form(
        request,
        form,
        title=_("Edit client %(name)s") % {"name": name},
        cancel_url=reverse("parties:client_detail", args=[client.pk]),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def client_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    client = selectors.get_client_for_user(user, pk)
    return confirm_delete(
        request,
        client,
        delete=lambda: services.client_delete(user=user, client=client),
        cancel_url=reverse("parties:client_detail", args=[client.pk]),
        done_url=reverse("parties:client_list"),
        done_message=_("Client %(name)s deleted.") % {"name": client.name},
    )
