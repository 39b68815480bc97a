"""`make run` serves as the application role, as production does (issue 12)."""

from __future__ import annotations

from familysupport.devserver import APP_ROLE, LOCAL_PG, app_role_url, socket_database_url


def test_run_serves_as_the_application_role_on_a_socket(tmp_path):
    owner = socket_database_url(tmp_path / "pg")
    served = app_role_url(owner)
    assert served.startswith(f"postgres://{APP_ROLE}:")
    assert served.split("@", 1)[1] == owner.split("@", 1)[1]  # same server and database


def test_run_serves_as_the_application_role_on_tcp():
    assert app_role_url(LOCAL_PG).startswith(f"postgres://{APP_ROLE}:")
    assert app_role_url(LOCAL_PG).endswith("@127.0.0.1:5432/familysupport")
