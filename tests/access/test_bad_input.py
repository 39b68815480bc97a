"""Zero 5xx on bad input: every URL pattern, signed in as a role allowed there, gets
hypothesis-generated bad values (NUL, 100,000 characters, unicode edge cases, negative and
huge numbers, other records' ids, malformed dates, hostile `next`) in its form fields and
query string. Any 5xx, or any exception out of a view, fails. A URL pattern without a plan
in tests/access/form_plans.py fails too.
"""

from __future__ import annotations

from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import parse_qsl, urlsplit

import pytest
from django import forms
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import User
from familysupport.lib.portal import PORTAL_APPS
from tests.conftest import mfa_login
from tests.factories import UserFactory

from .form_plans import NO_POST, PLANS, POST_ONLY
from .registry import ROLES, World, all_routes

ROUTES = all_routes()
EXAMPLES = 6

NEXT = ["-1", "//evil.example/", "https://evil.example/x", "javascript:alert(1)", "/\\evil"]
NEXT += ["cases:case_list", "\x00", "", "/" + "a" * 5000, "http://testserver@evil.example"]
DATES = ["2026-02-30", "0000-00-00", "9999-99-99", "2026-13-01T25:61", "31/12/2026", "-1"]
DATES += ["10000-01-01", "1-1-1", "2026-03-08T02:30", "T", "2026-W10"]
NUMBERS = ["-1", "0", "1e309", "NaN", "inf", "-inf", "99999999999999999999999", "1.5", "-0"]
NUMBERS += ["0x10", "1_000", "½", "٣"]
TEXT = [
    "\x00",
    "a\x00b",
    "\u202e\u0644",
    "\ufeff",
    "\U0001d518\U0001d52b\U0001d526",
    "Ω" * 300,
    "\r\n\t",
    " ",
]
TEXT += ["' OR 1=1 --", "<script>x</script>", "%00", "../../etc/passwd", "=cmd|' /C calc'!A0"]


def bad_values(ids: list[int]) -> st.SearchStrategy:
    one = st.one_of(
        st.sampled_from(TEXT),
        st.just("x" * 100_000),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(NUMBERS),
        st.sampled_from(DATES),
        st.sampled_from(NEXT),
        st.sampled_from(ids or [1]).map(str),
    )
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


def every_form_field_name() -> list[str]:
    names: set[str] = set()
    for app in PORTAL_APPS:
        try:
            module = import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, forms.BaseForm):
                names |= set(getattr(obj, "base_fields", {}))
    return sorted(names)


class _Forms(HTMLParser):
    """The fields of a page's forms: ((method, action), [names])."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, list[str]]] = []
        self._open: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = ((attrs.get("method") or "get").lower(), attrs.get("action") or "", [])
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea", "button") and self._open is not None:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                self._open[2].append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def page_fields(html: str, path: str) -> tuple[list[str], list[str]]:
    parser = _Forms()
    parser.feed(html)
    post, get = set(), set()
    for method, action, names in parser.forms:
        target = urlsplit(action).path or path
        if target != path:
            continue  # e.g. the nav's sign-out form
        (post if method == "post" else get).update(names)
    return sorted(post), sorted(get)


@pytest.fixture(scope="module")
def fuzz_users(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        owner = {r: UserFactory(role=r, email=f"owner-{r}@badinput.test") for r in ROLES}
        other = {r: UserFactory(role=r, email=f"other-{r}@badinput.test") for r in ROLES}
    yield owner, other
    with django_db_blocker.unblock(), transaction.atomic(), connection.cursor() as cursor:
        User.objects.filter(email__endswith="@badinput.test").delete()
        cursor.execute("SET LOCAL session_replication_role = replica")  # past the audit trigger
        cursor.execute("TRUNCATE accounts_auditentry")


def _principal(route) -> str:
    roles = sorted(p for p in route.allow if p in ROLES)
    return roles[0] if roles else "anonymous"


def _ids() -> list[int]:
    from cases.models import Case, Family

    ids = list(Case.objects.values_list("pk", flat=True)[:5])
    ids += list(Family.objects.values_list("pk", flat=True)[:5])
    ids += list(User.objects.values_list("pk", flat=True)[:5])
    return ids


def test_every_url_pattern_has_a_form_plan():
    missing = sorted(set(ROUTES) - set(PLANS))
    assert not missing, f"add a plan to tests/access/form_plans.py for: {missing}"
    stale = sorted(set(PLANS) - set(ROUTES))
    assert not stale, f"plans for URL patterns that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_bad_input_never_gets_a_server_error(name, fuzz_users):
    route, plan = ROUTES[name], PLANS.get(name)
    assert plan is not None, f"no form plan for {name}"
    owner, other = fuzz_users
    world = World(owner=dict(owner), other=dict(other))
    kwargs = route.build(world) if route.build else {}
    url = reverse(name, kwargs=kwargs)
    fixed = dict(parse_qsl(route.query.lstrip("?")))
    principal = _principal(route)
    client = Client() if principal == "anonymous" else mfa_login(Client(), world.owner[principal])

    if plan == POST_ONLY:
        post_fields, get_fields = [*every_form_field_name(), "next"], []
    else:
        page = client.get(url, fixed)
        readable = page.status_code == 200 and not page.streaming  # not a file download
        html = page.content.decode(errors="replace") if readable else ""
        post_fields, get_fields = page_fields(html, url)
        if plan == NO_POST:
            post_fields = []
        elif post_fields:
            post_fields.append("next")
        get_fields = sorted({*get_fields, "page", "next", "q"})
    values = bad_values(_ids())
    failures: list[str] = []

    def check(method: str, data: dict) -> None:
        try:
            if method == "GET":
                response = client.get(url, {**fixed, **data})
            else:
                response = client.post(url + route.query, data)
        except Exception as exc:  # the test client re-raises what a view raised
            failures.append(f"{method}: {type(exc).__name__}: {str(exc)[:200]}")
            return
        if response.streaming:
            b"".join(response.streaming_content)  # a download fails while it streams
        if response.status_code >= 500:
            failures.append(f"{method}: HTTP {response.status_code}")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def attempt(data):
        if get_fields:
            check("GET", {f: data.draw(values) for f in get_fields})
        if post_fields:
            check("POST", {f: data.draw(values) for f in post_fields})

    attempt()
    unique = sorted(set(failures))
    assert not unique, f"{name} ({url}) as {principal}:\n" + "\n".join(unique[:10])
