"""Interactions logged on a client: the full history, add, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chantier.core.access import acting_user, writer_required
from chantier.core.pagination import paginate
from chantier.core.web import posted
from chantier.parties import selectors, services
from chantier.parties.forms import InteractionForm
from chantier.parties.models import Interaction
from chantier.parties.views.common import confirm_delete, render_form, save_form


def _client_url(interaction: Interaction) -> str:
    return reverse("parties:client_detail", args=[interaction.client_id]) + "#interactions"


def interaction_list(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.get_client_for_user(acting_user(request), pk)
    queryset = selectors.client_interactions(client, request.GET.get("q", ""))
    context = {**paginate(request, queryset), "client": client}
    return render(request, "parties/interaction_list.html", context)


@writer_required
@require_POST
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The form on the client's page; when invalid, the page comes back with the errors."""
    user = acting_user(request)
    client = selectors.get_client_for_user(user, pk)
    form = InteractionForm(request.POST)
    interaction = save_form(
        form, lambda data: services.interaction_create(user=user, client=client, **data)
    )
    if interaction is not None:
        messages.success(request, _("Interaction recorded."))
        return redirect(_client_url(interaction))
    client = selectors.client_detail_for_user(user, pk)
    context = {"client": client, "interaction_form": form}
    return render(request, "parties/client_detail.html", context, status=400)


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interaction = selectors.get_interaction_for_user(user, pk)
    form = InteractionForm(posted(request), instance=interaction)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: services.interaction_update(user=user, interaction=interaction, **data),
        )
        if saved is not None:
            messages.success(request, _("Interaction saved."))
            return redirect(_client_url(saved))
    return render_form(
        request, form, title=_("Edit interaction"), cancel_url=_client_url(interaction)
    )


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interaction = selectors.get_interaction_for_user(user, pk)
    return confirm_delete(
        request,
        interaction,
        delete=lambda: services.interaction_delete(user=user, interaction=interaction),
        cancel_url=_client_url(interaction),
        done_url=_client_url(interaction),
        done_message=_("Interaction deleted."),
    )
