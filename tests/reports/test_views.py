"""The report page, drill-downs, roles, caching and the background computation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services
from reports.models import ReportRun

from . import factories as f
from .factories import ny

pytestmark = pytest.mark.django_db


def _year_url(year=2024, **query):
    url = reverse("reports:year", args=[year])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _headline(html: str, key: str) -> str:
    m = re.search(rf'data-figure="{key}">(?:<a href="([^"]*)">)?([^<]+)', html)
    assert m, key
    return m.group(2).strip()


# --- roles -----------------------------------------------------------------------------------


def test_administrator_sees_figures_with_definitions_links_and_exports(
    edge_year, administrator, login
):
    response = login(administrator).get(_year_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert _headline(html, "mh_families") == "3"
    assert _headline(html, "faon_participants") == "2"
    assert _headline(html, "peer_calls") == "3"
    assert "Declined, expired or unanswered referrals do not count" in html
    assert reverse("reports:drilldown", args=[2024, "mh_families"]) in html
    assert reverse("reports:export", args=[2024, "all", "xlsx"]) in html
    assert 'role="img"' in html and "<caption>" in html  # chart + its data table
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_supervisor_reads_without_exports_or_publishing(edge_year, supervisor, login):
    client = login(supervisor)
    html = client.get(_year_url()).content.decode()
    assert _headline(html, "mh_families") == "3"
    assert reverse("reports:export", args=[2024, "all", "xlsx"]) not in html
    assert reverse("reports:publish", args=[2024]) not in html
    assert client.get(reverse("reports:export", args=[2024, "all", "csv"])).status_code == 403
    url = reverse("reports:drilldown_export", args=[2024, "contacts", "csv"])
    assert client.get(url).status_code == 403
    assert client.post(reverse("reports:publish", args=[2024])).status_code == 403


@pytest.mark.parametrize("role", ["advocate", "provider", "volunteer"])
def test_other_roles_get_403_everywhere(role, make_user, login):
    client = login(make_user(role))
    for url in (
        reverse("reports:index"),
        _year_url(),
        reverse("reports:drilldown", args=[2024, "contacts"]),
        reverse("reports:export", args=[2024, "all", "csv"]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reports:publish", args=[2024])).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(_year_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_year_picker_and_bad_years(administrator, login):
    client = login(administrator)
    assert client.get(reverse("reports:index") + "?year=2024")["Location"] == _year_url()
    assert client.get(reverse("reports:year", args=[1999])).status_code == 404
    assert (
        client.get(reverse("reports:year", args=[services.current_year() + 1])).status_code == 404
    )


def _picker_years(html: str) -> list[int]:
    picker = html.split('id="year-picker"', 1)[1].split("</select>", 1)[0]
    return [int(y) for y in re.findall(r'<option value="(\d+)"', picker)]


def test_year_picker_lists_the_years_that_have_data(administrator, login):
    this_year = services.current_year()
    client = login(administrator)
    assert _picker_years(client.get(_year_url()).content.decode()) == [this_year]
    # The first record: 31 Dec 2020 23:30 in New York (already 2021 in UTC) counts in 2020.
    f.case(f.family(), opened_at=ny(2020, 12, 31, 23, 30))
    assert _picker_years(client.get(_year_url()).content.decode()) == list(
        range(this_year, 2019, -1)
    )


def test_menu_item_for_readers_only(administrator, supervisor, advocate):
    from reports.nav import menu

    assert [i.label for i in menu(administrator)] == ["Reports"]
    assert [i.label for i in menu(supervisor)] == ["Reports"]
    # Advocates (and FAON members) get the coverage map; supervisors reach it from the report.
    assert [i.label for i in menu(advocate)] == ["Coverage map"]


# --- drill-down ------------------------------------------------------------------------------


def test_drilldown_lists_the_families_behind_the_figure(edge_year, administrator, login):
    client = login(administrator)
    html = client.get(reverse("reports:drilldown", args=[2024, "mh_families"])).content.decode()
    assert 'data-count="3"' in html
    for name in ("F1", "F2", "F5"):
        assert f"<td>{name}</td>" in html
    for name in ("F3", "F4", "F6", "F7", "F8"):
        assert f"<td>{name}</td>" not in html
    html = client.get(
        reverse("reports:drilldown", args=[2024, "mh_families"]) + "?source=referral"
    ).content.decode()
    assert 'data-count="2"' in html


def test_drilldown_of_a_month_cell(edge_year, supervisor, login):
    url = (
        reverse("reports:drilldown", args=[2024, "contacts"])
        + "?purpose=emotional_support&month=12"
    )
    html = login(supervisor).get(url).content.decode()
    assert 'data-count="1"' in html and "2024-12-31 23:30" in html


def test_drilldown_counts_match_every_linked_figure(edge_year, administrator, login):
    """Every link on the page leads to a list with as many records as the figure says."""
    client = login(administrator)
    html = client.get(_year_url()).content.decode()
    links = re.findall(r'<a href="(/reports/2024/records/[^"]+)">([^<]+)</a>', html)
    assert len(links) > 50
    checked = 0
    for url, value in links:
        if not value.strip().isdigit():
            continue
        page = client.get(url.replace("&amp;", "&")).content.decode()
        count = re.search(r'data-count="(\d+)"', page).group(1)
        assert count == value.strip(), url
        checked += 1
    assert checked > 50


def test_drilldown_paginates_and_rejects_bad_parameters(administrator, login):
    c = f.case(f.family(), opened_at=ny(2024, 1, 2, 9))
    for day in range(1, 61):
        f.contact(c, at=ny(2024, 3, 1 + day % 28, 9, day % 60))
    client = login(administrator)
    url = reverse("reports:drilldown", args=[2024, "contacts"])
    page1 = client.get(url).content.decode()
    assert 'data-count="60"' in page1 and "Page 1 of 2" in page1
    assert client.get(url + "?page=2").status_code == 200
    assert client.get(url + "?month=13").status_code == 404
    assert client.get(url + "?purpose=nonsense").status_code == 404
    assert client.get(reverse("reports:drilldown", args=[2024, "nonsense"])).status_code == 404


def test_drilldown_query_count_does_not_grow(administrator, login, django_assert_max_num_queries):
    c = f.case(f.family(), opened_at=ny(2024, 1, 2, 9))
    client = login(administrator)
    url = reverse("reports:drilldown", args=[2024, "contacts"])
    f.contact(c, at=ny(2024, 3, 1, 9))
    # Steady state: the session's first request also records the passed second factor.
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for day in range(1, 40):
        f.contact(c, at=ny(2024, 4, 1 + day % 28, 9), advocate=f.UserFactory(totp=False))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


# --- query count, cache, background ------------------------------------------------------------


def _page_queries(client, url) -> int:
    ReportRun.objects.all().delete()  # force a fresh computation
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_report_page_query_count_is_independent_of_data_size(administrator, login):
    client = login(administrator)
    url = _year_url()
    # Steady state: the session's first request also records the passed second factor.
    client.get(reverse("reports:index"))
    small = _page_queries(client, url)
    advocate = f.UserFactory(role="advocate", totp=False)
    p = f.provider(history=[("active", ny(2024, 2, 1, 9))])
    for n in range(12):
        fam = f.family()
        c = f.case(fam, opened_at=ny(2024, n + 1, 3, 9), advocate=advocate)
        f.contact(c, at=ny(2024, n + 1, 5, 9), purpose="crisis_intervention")
        f.contact(c, at=ny(2024, n + 1, 6, 9), purpose="follow_up")
        f.referral(
            c,
            to=p,
            by=advocate,
            status="accepted",
            sent_at=ny(2024, n + 1, 5, 9),
            responded_at=ny(2024, n + 1, 6, 9),
            accepted_at=ny(2024, n + 1, 6, 9),
        )
        f.peer_call(at=ny(2024, n + 1, 7, 9))
        f.provider(history=[("active", ny(2024, n + 1, 1, 9))])
        f.legal_request(received_on=ny(2024, n + 1, 1).date(), provided=["research"])
        f.trip(c, approved_at=ny(2024, n + 1, 8, 9), segments=[("flight", "100", "90")])
    large = _page_queries(client, url)
    assert large == small
    assert "12" in client.get(url).content.decode()


def test_fresh_cache_is_reused(edge_year, administrator, login):
    client = login(administrator)
    client.get(_year_url())
    assert ReportRun.objects.filter(year=2024, status="done").count() == 1
    with CaptureQueriesContext(connection) as ctx:
        client.get(_year_url())
    assert ReportRun.objects.filter(year=2024).count() == 1
    assert len(ctx.captured_queries) < 15


def test_slow_year_is_computed_in_the_background_with_progress(
    edge_year, administrator, login, monkeypatch, django_capture_on_commit_callbacks, settings
):
    queued = []
    monkeypatch.setattr("reports.tasks.report_compute.delay", lambda run_id: queued.append(run_id))
    # The last computation of 2024 was slow and is no longer fresh.
    ReportRun.objects.create(
        year=2024,
        status="done",
        progress=100,
        duration_ms=settings.REPORTS_SLOW_MS + 1,
        results={},
        definitions_version="old",
        finished_at=ny(2024, 1, 1),
    )
    client = login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(_year_url()).content.decode()
    run = ReportRun.objects.get(year=2024, status="pending")
    assert queued == [run.pk]
    assert "<progress" in html and "X-Background-Poll" in html
    assert reverse("reports:status", args=[2024]) in html

    status = client.get(reverse("reports:status", args=[2024]), HTTP_X_BACKGROUND_POLL="1")
    assert status.status_code == 200 and b'value="0"' in status.content

    services.run_execute(run_id=run.pk)  # what the Celery worker does
    run.refresh_from_db()
    assert (
        run.status == "done" and run.progress == 100 and run.results["headline"]["mh_families"] == 3
    )
    done = client.get(reverse("reports:status", args=[2024]), HTTP_X_BACKGROUND_POLL="1")
    assert done["HX-Refresh"] == "true"
    assert _headline(client.get(_year_url()).content.decode(), "mh_families") == "3"


def test_run_execute_is_idempotent(edge_year):
    run = ReportRun.objects.create(year=2024)
    services.run_execute(run_id=run.pk)
    finished = ReportRun.objects.get(pk=run.pk).finished_at
    services.run_execute(run_id=run.pk)
    assert ReportRun.objects.get(pk=run.pk).finished_at == finished


def test_broker_failure_marks_the_run_failed(monkeypatch, django_capture_on_commit_callbacks):
    def down(run_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr("reports.tasks.report_compute.delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(year=2024)
    run.refresh_from_db()
    assert run.status == "failed" and "try again" in run.error


def test_refresh_of_a_slow_year_starts_one_run_per_year(settings, administrator, supervisor, login):
    settings.REPORTS_BACKGROUND_ROWS = -1  # a year never computed on a large database
    login(administrator).post(reverse("reports:refresh", args=[2024]))
    login(supervisor).post(reverse("reports:refresh", args=[2024]))
    assert ReportRun.objects.filter(year=2024, status="pending").count() == 1


def test_never_computed_year_of_a_large_database_goes_to_the_background(
    settings, administrator, login, monkeypatch
):
    monkeypatch.setattr("reports.tasks.report_compute.delay", lambda run_id: None)
    settings.REPORTS_BACKGROUND_ROWS = -1  # every database counts as large
    html = login(administrator).get(_year_url()).content.decode()
    assert "<progress" in html
    assert ReportRun.objects.get(year=2024).status == "pending"


def test_a_run_stuck_past_the_time_limit_is_shown_as_failed(administrator, login):
    run = ReportRun.objects.create(year=2024, created_at=ny(2024, 1, 1, 9))
    response = login(administrator).get(reverse("reports:status", args=[2024]))
    run.refresh_from_db()
    assert run.status == "failed"
    assert b"Try again" in response.content and b"hx-get" not in response.content
