"""Works sites (chantiers) of a client: list, create, edit, delete."""

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
from chantier.parties.forms import SiteForm
from chantier.parties.models import Site
from chantier.parties.views.common import (
    confirm_delete,
    render_form,
    save_form,
)


def _site_url(site: Site) -> str:
    return reverse("parties:client_detail", args=[site.client_id]) + "#sites"


def site_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.site_list(company_of_request(request), request.GET.get("q", ""))
    return render(request, "parties/site_list.html", paginate(request, queryset))


@writer_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    client = selectors.get_client_for_user(user, pk)
    form = SiteForm(posted(request), initial=SiteForm.initial_for(client))
    if request.method == "POST":
        site = save_form(form, lambda data: services.site_create(user=user, client=client, **data))
        if site is not None:
            messages.success(request, _("Site %(name)s created.") % {"name": site.name})
            return redirect(_site_url(site))
    cancel_url = reverse("parties:client_detail", args=[client.pk])
    title = _("New site for %(name)s") % {"name": client.name}
    return render_form(request, form, title=title, cancel_url=cancel_url)


@writer_required
@require_http_methods(["GET", "POST"])
def site_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    site = selectors.get_site_for_user(user, pk)
    name = site.name  # the form changes the instance as it validates
    form = SiteForm(posted(request), instance=site)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.site_update(user=user, site=site, **data))
        if saved is not None:
            messages.success(request, _("Site %(name)s saved.") % {"name": saved.name})
            return redirect(_site_url(saved))
    return render_form(
        request, form, title=_("Edit site %(name)s") % {"name": name}, cancel_url=_site_url(site)
    )


@writer_required
@require_http_methods(["GET", "POST"])
def site_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    site = selectors.get_site_for_user(user, pk)
    return confirm_delete(
        request,
        site,
        delete=lambda: services.site_delete(user=user, site=site),
        cancel_url=_site_url(site),
        done_url=_site_url(site),
        done_message=_("Site %(name)s deleted.") % {"name": site.name},
    )
