"""The case list search and the duplicate-family search: what they find, and that indexes serve
them at scale (bench/RESULTS.md items 1, 2 and 6: 250,000 families, 300,000 cases)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors
from cases.forms import CaseFilter
from cases.models import Case, Family

from .factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.django_db
LIST = reverse("cases:case_list")


@pytest.fixture
def families():
    marsh = CaseFactory(
        family__display_name="Marsh family",
        family__contact_name="Lena Marsh",
        family__phone="+15550102000",
        family__phone_alt="+15550109999",
        external_case_number="NCMEC-2026-0042",
    )
    okonkwo = CaseFactory(
        family__display_name="Okonkwo family", family__contact_name="Margaret Okonkwo"
    )
    other = CaseFactory(family__display_name="Lee family", family__contact_name="Pat Lee")
    return marsh, okonkwo, other


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("marsh", "marsh"),  # part of a name, any case
        ("Margaret Okonkow", "okonkwo"),  # a typo: trigram similarity
        ("(555) 010-2000", "marsh"),  # the phone, typed another way
        ("555.010.9999", "marsh"),  # the alternate phone
        ("ncmec-2026-0042", "marsh"),  # the external case number, any case
    ],
)
def test_search_finds_by_name_phone_and_case_number(adv_client, families, typed, expected):
    marsh, okonkwo, _other = families
    found = list(adv_client.get(LIST, {"q": typed}).context["cases"])
    assert found == [{"marsh": marsh, "okonkwo": okonkwo}[expected]]


def test_search_finds_by_portal_reference(adv_client, families):
    _marsh, okonkwo, _other = families
    assert list(adv_client.get(LIST, {"q": f"FS-{okonkwo.pk:06d}"}).context["cases"]) == [okonkwo]


def test_search_with_other_filters_and_count(adv_client, families):
    marsh, _okonkwo, _other = families
    CaseFactory(family=marsh.family, status=Case.Status.CLOSED)
    response = adv_client.get(LIST, {"q": "Marsh", "status": ["open"]})
    assert list(response.context["cases"]) == [marsh]
    assert response.context["page"].paginator.count == 1


def _search_sql(user, data) -> str:
    qs = selectors.case_list_visible_to(user=user)
    filterset = CaseFilter(data, queryset=qs, user=user)
    with CaptureQueriesContext(connection) as ctx:
        list(filterset.qs)
    [query] = ctx.captured_queries
    return query["sql"]


def test_search_reads_family_ids_in_a_subquery_not_across_the_join(advocate, families):
    """ORed across the join, the name conditions cannot use an index (a seq scan of every
    case and family); the family subquery and the case's own columns each can."""
    sql = _search_sql(advocate, {"q": "Marsh"})
    where = sql.split(" WHERE ", 1)[1]
    assert '"cases_case"."family_id" = ANY(COALESCE(NULLIF(ARRAY(SELECT' in where
    assert '"cases_family"."contact_name"' not in where
    assert '"cases_family"."display_name"' not in where
    assert "ORDER BY U0" not in where  # no pointless sort inside the subquery


def test_status_filter_does_not_select_distinct(advocate, families):
    """Status is a column of the case: DISTINCT over every column would only cost time."""
    sql = _search_sql(advocate, {"status": ["open", "active"]})
    assert "DISTINCT" not in sql.upper()


def test_status_filter_lists_each_case_once(adv_client, families):
    marsh, okonkwo, other = families
    okonkwo.status = Case.Status.ACTIVE
    okonkwo.save()
    other.status = Case.Status.CLOSED
    other.save()
    response = adv_client.get(LIST, {"status": ["open", "active"]})
    assert sorted(c.pk for c in response.context["cases"]) == sorted([marsh.pk, okonkwo.pk])
    assert response.context["page"].paginator.count == 2


def test_search_page_queries_do_not_grow_with_matches(
    adv_client, families, django_assert_max_num_queries
):
    counts = []
    for extra in (0, 30):
        for i in range(extra):
            CaseFactory(family__contact_name=f"Ola Marsh {i}", family__display_name="Marsh family")
        adv_client.get(LIST, {"q": "Marsh"})  # steady state: the first request warms the session
        with django_assert_max_num_queries(20) as ctx:
            response = adv_client.get(LIST, {"q": "Marsh"})
        assert response.context["page"].paginator.count == 1 + extra
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- the indexes serve the expressions Django writes ------------------------------------
# With sequential scans priced out, the planner still picks one when no index fits the
# expression; so an index named in the plan shows that it can serve the query at scale.


def _plan(sql: str) -> str:
    """EXPLAIN a captured statement (its values inlined, so no parameters to bind)."""
    with connection.cursor() as cursor:
        # Fresh statistics: what autovacuum saw of earlier tests' rows must not pick the plan.
        cursor.execute("ANALYZE cases_case, cases_family")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", None)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def _queryset_plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        return _plan(cursor.mogrify(sql, params))


@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        ({"contact_name__icontains": "Marsh"}, "family_contact_upper_trgm"),
        ({"display_name__icontains": "Marsh"}, "family_name_upper_trgm"),
    ],
)
def test_icontains_on_family_names_is_served_by_the_upper_trigram_indexes(families, lookup, index):
    """Django writes `icontains` as UPPER(col) LIKE UPPER('%…%'): a trigram index on the
    plain column cannot serve it, only one on UPPER(col)."""
    plan = _queryset_plan(Family.objects.filter(**lookup))
    assert f"Bitmap Index Scan on {index}" in plan
    assert "Seq Scan" not in plan


def test_case_number_iexact_is_served_by_the_upper_index(families):
    plan = _queryset_plan(Case.objects.filter(external_case_number__iexact="ncmec-2026-0042"))
    assert "case_external_number_upper" in plan
    assert "Seq Scan" not in plan


def test_case_search_reaches_cases_through_indexes(advocate, families):
    plan = _plan(_search_sql(advocate, {"q": "Marsh"}))
    # The names go through their trigram indexes; for the case-number arm a handful of test
    # rows lets the planner walk cases by another index (the iexact test pins that index).
    assert "family_name_upper_trgm" in plan and "family_contact_upper_trgm" in plan
    assert "Seq Scan" not in plan


def test_family_suggest_finds_a_substring_of_the_contact_name(advocate):
    family = FamilyFactory(contact_name="Anastasia Vandermolen", display_name="Vandermolen family")
    found = selectors.family_suggest(user=advocate, name="ndermol")
    assert [s.family for s in found] == [family]


# --- a broad filter pays for a page, not for a COUNT of every case ------------------------


def test_case_list_count_stops_at_the_cap(adv_client, families, monkeypatch):
    from cases import views

    monkeypatch.setattr(views, "LIST_COUNT_CAP", 2)
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 1)
    response = adv_client.get(LIST)
    html = response.content.decode()
    assert "2+ cases" in html and "narrow the filters" in html
    assert "Page 1 of 2+" in html
    assert response.context["page"].paginator.num_pages == 2  # the pages end at the cap
    html = adv_client.get(LIST, {"q": "Marsh"}).content.decode()
    assert "1 case" in html and "narrow the filters" not in html


def test_case_list_count_reads_at_most_cap_rows(advocate, families):
    from familysupport.lib.counts import CappedPaginator

    qs = selectors.case_list_visible_to(user=advocate).order_by("-opened_at", "-pk")
    with CaptureQueriesContext(connection) as ctx:
        paginator = CappedPaginator(qs, 25, cap=2)
        assert (paginator.count, str(paginator.total), paginator.is_capped) == (2, "2+", True)
    [query] = ctx.captured_queries
    assert "LIMIT 3" in query["sql"]


def test_case_list_advocate_filter_renders_every_caseworker_once(adv_client, advocate):
    """The advocate <select> is written without a template per option (FastSelect): same
    options, the chosen one selected, its label escaped, no COUNT of the choices first."""
    from accounts.models import User

    advocate.full_name = "Ana <b>Ortiz</b>"
    advocate.save()
    with CaptureQueriesContext(connection) as ctx:
        html = adv_client.get(LIST, {"assigned_advocate": advocate.pk}).content.decode()
    select = html.split('name="assigned_advocate"', 1)[1].split("</select>", 1)[0]
    caseworkers = User.objects.filter(is_active=True, role__in=["advocate", "supervisor"])
    assert select.count("<option") == caseworkers.count() + 1  # and the empty choice
    assert f'<option value="{advocate.pk}" selected>Ana &lt;b&gt;Ortiz&lt;/b&gt;</option>' in select
    assert 'id="id_assigned_advocate"' in html
    assert not any(
        'COUNT(*) AS "__count" FROM "accounts_user"' in q["sql"] for q in ctx.captured_queries
    )


# --- a common surname: the search runs once, names merely similar only as a fallback -----


def test_similar_names_are_listed_only_when_no_name_contains_the_text(adv_client):
    marsh = CaseFactory(family__contact_name="Lena Marsh", family__display_name="Marsh family")
    mursh = CaseFactory(family__contact_name="Lena Mursh", family__display_name="Mursh family")
    assert list(adv_client.get(LIST, {"q": "Lena Marsh"}).context["cases"]) == [marsh]
    # Nobody is called "Lena Marsch": the names most like it are listed instead.
    found = set(adv_client.get(LIST, {"q": "Lena Marsch"}).context["cases"])
    assert marsh in found and mursh in found


def test_search_pages_come_in_the_list_order_from_one_ordered_id_read(
    adv_client, advocate, monkeypatch
):
    from cases import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 4)
    monkeypatch.setattr(views, "LIST_COUNT_CAP", 9)
    cases = [
        CaseFactory(family__contact_name=f"Ola Tamsin {i}", family__display_name="Tamsin family")
        for i in range(11)
    ]
    CaseFactory(family__contact_name="Pat Lee")  # not a match
    newest_first = sorted(cases, key=lambda c: (c.opened_at, c.pk), reverse=True)
    pages = [adv_client.get(LIST, {"q": "tamsin", "page": n}) for n in (1, 2, 3)]
    listed = [c for p in pages for c in p.context["cases"]]
    assert listed == newest_first[:9]  # in order, and the pages end at the cap
    assert str(pages[0].context["page"].paginator.total) == "9+"
    oldest_first = adv_client.get(LIST, {"q": "tamsin", "sort": "opened_at"}).context["cases"]
    assert list(oldest_first) == newest_first[::-1][:4]


def test_search_reads_the_matches_once(adv_client, families):
    """One statement selects and sorts the matches (ids only); the page's rows by id."""
    adv_client.get(LIST, {"q": "Marsh"})
    with CaptureQueriesContext(connection) as ctx:
        adv_client.get(LIST, {"q": "Marsh"})
    searches = [q["sql"] for q in ctx.captured_queries if "COALESCE(NULLIF(ARRAY" in q["sql"]]
    assert len(searches) == 1
    assert searches[0].startswith('SELECT "cases_case"."id" AS "pk" FROM "cases_case" WHERE')
    assert "COUNT(" not in " ".join(
        q["sql"] for q in ctx.captured_queries if "cases_case" in q["sql"]
    )
