"""The HSDS 3.0 directory API (read-only, API key) and the administrators' key management."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familysupport.lib.access import ADMINISTRATOR, role_required

from .. import hsds, hsds_openapi, selectors, services
from ..forms import ApiKeyForm


def _key_from(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("X-Api-Key", "").strip()


def _unauthorised() -> JsonResponse:
    response = JsonResponse(
        {"detail": "A valid API key is required (Authorization: Bearer <key>)."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="faon-directory"'
    return response


def api_view(view):
    """Authenticate by API key (never by session) and answer JSON; GET only."""

    @require_GET
    def wrapper(request: HttpRequest, *args, **kwargs):
        if services.api_key_authenticate(_key_from(request)) is None:
            return _unauthorised()
        try:
            response = view(request, *args, **kwargs)
        except hsds.BadParameter as exc:
            response = JsonResponse({"detail": str(exc), "parameter": exc.name}, status=400)
        response["Cache-Control"] = "no-store"
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _directory():
    return selectors.provider_list_directory().order_by("pk")


def _one(value: str, kind: str, item) -> JsonResponse:
    qs = _directory()
    pk = hsds.provider_pk_from_id(value, kind, qs.values_list("pk", flat=True))
    if pk is None:
        return JsonResponse({"detail": "Not found."}, status=404)
    return JsonResponse(item(qs.get(pk=pk)))


def _filtered(request: HttpRequest):
    return hsds.filter_directory(_directory(), request)


@api_view
def organizations(request: HttpRequest) -> HttpResponse:
    return JsonResponse(hsds.page(_filtered(request), request, hsds.organization))


@api_view
def organization(request: HttpRequest, id: str) -> HttpResponse:
    return _one(id, "organization", hsds.organization)


@api_view
def services_list(request: HttpRequest) -> HttpResponse:
    return JsonResponse(hsds.page(_filtered(request), request, hsds.service))


@api_view
def service(request: HttpRequest, id: str) -> HttpResponse:
    return _one(id, "service", lambda p: hsds.service(p, full=True))


@api_view
def service_at_locations(request: HttpRequest) -> HttpResponse:
    return JsonResponse(hsds.page(_filtered(request), request, hsds.service_at_location))


@api_view
def service_at_location(request: HttpRequest, id: str) -> HttpResponse:
    return _one(id, "service_at_location", lambda p: hsds.service_at_location(p, full=True))


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """API metadata (HSDS openapi `getAPIMetaInformation`): public, it holds no data."""
    return JsonResponse(
        {
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/overview.html",
            "openapi_url": request.build_absolute_uri(reverse("faon:hsds_openapi")),
        }
    )


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document partners build their client from (public, no data)."""
    base = request.build_absolute_uri(reverse("faon:hsds_root")).rstrip("/")
    return JsonResponse(hsds_openapi.document(server=base))


@api_view
def taxonomies(request: HttpRequest) -> HttpResponse:
    return JsonResponse(hsds.page([hsds.taxonomy()], request, lambda t: t))


@api_view
def taxonomy(request: HttpRequest, id: str) -> HttpResponse:
    if id != hsds.TAXONOMY_ID:
        return JsonResponse({"detail": "Not found."}, status=404)
    return JsonResponse(hsds.taxonomy())


@api_view
def taxonomy_terms(request: HttpRequest) -> HttpResponse:
    terms = hsds.taxonomy_terms()
    if (value := request.GET.get("taxonomy_id", "").strip()) and value != hsds.TAXONOMY_ID:
        terms = []
    if text := request.GET.get("search", "").strip().lower():
        terms = [t for t in terms if text in t["name"].lower() or text in t["code"]]
    return JsonResponse(hsds.page(terms, request, lambda t: t))


@api_view
def taxonomy_term(request: HttpRequest, id: str) -> HttpResponse:
    term = next((t for t in hsds.taxonomy_terms() if t["id"] == id), None)
    if term is None:
        return JsonResponse({"detail": "Not found."}, status=404)
    return JsonResponse(term)


@require_http_methods(["GET", "POST"])
@role_required(ADMINISTRATOR)
def api_key_list(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _key, secret = services.api_key_issue(name=form.cleaned_data["name"], by=request.user)
            form = ApiKeyForm()
        else:
            status = 400
    keys = selectors.api_key_list_visible_to(user=request.user)[:200]
    return render(
        request,
        "faon/apikey_list.html",
        {"form": form, "keys": keys, "secret": secret},
        status=status,
    )


@require_POST
@role_required(ADMINISTRATOR)
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = selectors.api_key_get_for_user(user=request.user, pk=pk, write=True)
    services.api_key_revoke(key=key, by=request.user)
    messages.success(request, "Key revoked.")
    return redirect("faon:api_key_list")
