"""What the web benchmarks share: a PostgreSQL database of their own, the app and a
one-view hello world under gunicorn side by side, logged-in sessions, timed requests.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
forethought_bench; created and dropped by the run), BENCH_PORT (default 8240; hello world
on the next port), BENCH_WORKERS and BENCH_THREADS (gunicorn workers on each side, default
3, and threads per worker, default 4: the gthread worker, which waits on the database
without holding a process).
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forethought_bench"
)
PORT = int(os.environ.get("BENCH_PORT", "8240"))
HELLO_PORT = PORT + 1
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
VAR = Path(tempfile.mkdtemp(prefix="forethought-bench-"))
SERVER_ENV = {
    "DATABASE_URL": DB_URL,
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",  # noqa: S106
    "EVENT_CHAIN_KEY": "benchmark-chain-key",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "FORETHOUGHT_VAR_DIR": str(VAR),
    "MEDIA_ROOT": str(VAR / "media"),
    "LOG_LEVEL": "WARNING",
    "AXES_ENABLED": "0",
}


def _psql(sql: str) -> None:
    url = urlparse(DB_URL)
    admin = url._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-q", "-c", sql], check=True, capture_output=True)  # noqa: S607


@contextmanager
def database():
    """A fresh database for the run, migrated; dropped at the end."""
    name = urlparse(DB_URL).path.lstrip("/")
    _psql(f'DROP DATABASE IF EXISTS "{name}"')
    _psql(f'CREATE DATABASE "{name}"')
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG is off, as in production
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def servers():
    """gunicorn serving the app on PORT and hello world on HELLO_PORT, same workers."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    # --preload: the app is imported once before the workers fork, not on their first request.
    threads = os.environ.get("BENCH_THREADS", "4")
    common = ["--workers", str(WORKERS), "--threads", threads, "--preload", "--bind"]
    env = {**os.environ, **SERVER_ENV}
    procs = [
        subprocess.Popen(
            [gunicorn, "config.wsgi:application", *common, f"127.0.0.1:{PORT}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [gunicorn, "benchmarks.hello:application", *common, f"127.0.0.1:{HELLO_PORT}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        for port in (PORT, HELLO_PORT):
            _wait(port)
        warm_up()
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def warm_up() -> None:
    """Each worker imports the URL conf (and every view module) on its first request,
    seconds on a busy machine: pay that before measuring."""
    import threading

    def hit(port: int) -> None:
        for _ in range(5):
            get(port, "/healthz" if port == PORT else "/", timeout=60)

    threads = [threading.Thread(target=hit, args=(p,)) for p in (PORT, HELLO_PORT) * WORKERS * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            get(port, "/healthz" if port == PORT else "/")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Nothing answers on port {port}")


def session_cookie(user) -> str:
    """A logged-in session for ``user``, as the server will read it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"sessionid={store.session_key}"


def get(
    port: int, path: str, cookie: str = "", timeout: float = 10.0, headers: dict | None = None
) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
    finally:
        conn.close()


def post(port: int, path: str, cookie: str, fields: dict, csrf: str) -> tuple[int, bytes, float]:
    from urllib.parse import urlencode

    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(fields),
            headers={
                "Cookie": f"{cookie}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
            },
        )
        response = conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
    finally:
        conn.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def throughput(port: int, path: str, cookie: str = "", seconds: float = 4.0, clients: int = 8):
    """Requests per second a closed loop of ``clients`` gets, and their median latency."""
    import threading

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def loop() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            try:
                status, _, took = get(port, path, cookie)
            except OSError:
                with lock:
                    errors += 1
                continue
            with lock:
                if status in (200, 204):
                    latencies.append(took)
                else:
                    errors += 1

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / seconds, median(latencies), errors
