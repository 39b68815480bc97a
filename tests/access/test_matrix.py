"""Walk every URL pattern and every principal and compare with the declared expectation."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from tests.conftest import mfa_login
from tests.factories import UserFactory

from .registry import PRINCIPALS, ROLES, World, all_routes


def _pattern_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            names |= _pattern_names(p, full)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def _unnamed_patterns(resolver: URLResolver | None = None) -> list[str]:
    found = []
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            found += _unnamed_patterns(p)
        elif not p.name:
            found.append(str(p.pattern))
    return found


ROUTES = all_routes()


def test_every_url_pattern_has_a_declared_expectation():
    undeclared = sorted(_pattern_names() - set(ROUTES))
    assert not undeclared, f"declare access for these URL patterns: {undeclared}"
    assert not _unnamed_patterns(), "every URL pattern needs a name to be declared"


def test_no_declaration_for_a_missing_pattern():
    stale = sorted(set(ROUTES) - _pattern_names())
    assert not stale, f"declared but not routed: {stale}"


@pytest.fixture(scope="module")
def matrix_users(django_db_setup, django_db_blocker):
    """The ten users every route is tried with, made once for the module (they are the
    slow part); each route's own records still roll back with its test."""
    with django_db_blocker.unblock():
        owner = {r: UserFactory(role=r, email=f"owner-{r}@matrix.test") for r in ROLES}
        other = {r: UserFactory(role=r, email=f"other-{r}@matrix.test") for r in ROLES}
    yield owner, other
    with django_db_blocker.unblock(), transaction.atomic(), connection.cursor() as cursor:
        # Committed rows this fixture made: the users (and their authenticators) and the
        # audit entries of their creation. The audit trail refuses TRUNCATE by trigger; the
        # test owner (a superuser) switches triggers off for this one transaction. The
        # application's role can do neither (tests/accounts/test_audit_roles.py).
        User.objects.filter(email__endswith="@matrix.test").delete()
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE accounts_auditentry")


def _world(users) -> World:
    owner, other = users
    return World(owner=dict(owner), other=dict(other))


def _client_for(world: World, principal: str) -> Client:
    if principal == "anonymous":
        return Client()
    role, _, other = principal.partition(":")
    return mfa_login(Client(), (world.other if other else world.owner)[role])


def _outcome(response) -> int | str:
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return "login"
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_access_matrix(name, matrix_users):
    route = ROUTES[name]
    world = _world(matrix_users)
    kwargs = route.build(world) if route.build else {}
    url = reverse(name, kwargs=kwargs) + route.query
    failures = []
    for principal in PRINCIPALS:
        client = _client_for(world, principal)
        if route.post_only:
            got = client.get(url).status_code
            if got != 405:
                failures.append(f"GET as {principal}: {got}, expected 405")
            if route.skip_post:
                continue
            got = _outcome(client.post(url))
            want = route.expected(principal)
            ok = got not in (403, 404, "login") if want == route.ok_status else got == want
            if not ok:
                failures.append(f"POST as {principal}: {got}, expected {want}")
            continue
        got = _outcome(client.get(url))
        want = route.expected(principal)
        if got != want:
            failures.append(f"GET as {principal}: {got}, expected {want}")
    assert not failures, f"{name} ({url}):\n" + "\n".join(failures)
