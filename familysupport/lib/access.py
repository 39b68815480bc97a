"""Who may see or change what: the one place views ask.

Rules per record live in each app's selectors (`<app>/selectors.py`: querysets scoped to
what a user may see, and `can_*` predicates for what they may change); this module has the
role checks every view starts with and the fetch helper every selector uses: 404 for
someone who may not know a record exists, 403 for someone who may see it but not change it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from familysupport.lib.roles import STAFF_ROLES, Role

M = TypeVar("M", bound=Model)
ViewFunc = Callable[..., HttpResponse]

ADVOCATE = Role.ADVOCATE
SUPERVISOR = Role.SUPERVISOR
ADMINISTRATOR = Role.ADMINISTRATOR
PROVIDER = Role.PROVIDER
VOLUNTEER = Role.VOLUNTEER
STAFF = STAFF_ROLES
CASEWORKERS = frozenset({ADVOCATE, SUPERVISOR})  # those who change case work
# Who may export the case, referral and travel lists (reports/list_exports.py); the lists'
# own views use it to offer the export links.
LIST_EXPORTERS = frozenset({SUPERVISOR, ADMINISTRATOR})


class Refused(PermissionDenied):
    """A 403 whose reason is shown to the user (a rule they can understand, e.g. separation
    of duties), where a plain PermissionDenied shows the generic "your role" page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in set(roles)
    )


def check_role(user: Any, roles: Iterable[str]) -> None:
    """403 for a signed-in user whose role does not fit (the page exists for others)."""
    if not has_role(user, roles):
        raise PermissionDenied


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorator for function views: login first (middleware), then the role."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            check_role(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class RoleRequiredMixin(LoginRequiredMixin):
    """For class views: `allowed_roles = {...}`; anonymous → login, other roles → 403."""

    allowed_roles: Iterable[str] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        check_role(request.user, self.allowed_roles)
        return super().dispatch(request, *args, **kwargs)


def get_visible_or_404(
    queryset: QuerySet[M],
    *,
    write: bool = False,
    can_write: Callable[[M], bool] | None = None,
    **lookup: Any,
) -> M:
    """Fetch from a permission-scoped queryset: 404 if not visible, 403 if not writable."""
    try:
        obj = queryset.get(**lookup)
    except ObjectDoesNotExist as exc:  # the model's DoesNotExist
        raise Http404 from exc
    if write and can_write is not None and not can_write(obj):
        raise PermissionDenied
    return obj
