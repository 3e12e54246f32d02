"""Public feedback form benchmark: form POSTs against gunicorn on PostgreSQL, side by side
with a one-view Django "hello world" served the same way in the same run.

    .venv/bin/python benchmarks/feedback_bench.py                 # 3 rounds of 15 s a side
    .venv/bin/python benchmarks/feedback_bench.py --seconds 5 --rounds 1     # quicker

Needs PostgreSQL (BENCH_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/
postgres; a throwaway database ``forethought_fbbench`` is created and dropped). Ports
BENCH_PORT and BENCH_PORT+1 (default 8210, 8211) on 127.0.0.1.

1. Both servers: gunicorn as docker-compose.yml serves the app (``--workers`` 3 x
   ``--threads`` 4, ``--preload``), DEBUG off.
2. Both sides are warmed for 3 s (each worker thread's first requests load templates,
   translations and a database connection). Then ``--clients`` threads GET hello world as
   fast as they can for ``--seconds``; then each fetches the form once (CSRF cookie and
   token) and POSTs distinct texts as fast as it can for ``--seconds``. ``--rounds`` (3)
   such pairs alternate, so that a change in what else the machine does falls on both.
3. Printed: requests per second of each side and their ratio in each round, and the
   median of those ratios (goal: the form at least 25% of hello world); p50/p99 latency
   of the form (goal: p99 under 150 ms); CPU per request of the app server, PostgreSQL
   and the load generator (from /proc: these hold when the machine is busy, requests per
   second don't); the rows counted afterwards against the 200 answers (goal: none lost,
   none duplicated).
The load generator runs on the same machine and takes CPU from both sides alike; run on an
idle machine.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB = "forethought_fbbench"

HELLO = textwrap.dedent(
    """
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpResponse
    from django.urls import path

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
    )


    def hello(request):
        return HttpResponse("Hello, world")


    urlpatterns = [path("", hello)]
    application = get_wsgi_application()
    """
)


def admin_url() -> str:
    return os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def database_url() -> str:
    parts = urlsplit(admin_url())
    return parts._replace(path=f"/{DB}").geturl()


def recreate_database() -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def drop_database() -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


def app_env(var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "EVENT_CHAIN_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "FORETHOUGHT_VAR_DIR": str(var),
        "REDIS_URL": "",
        # The benchmark measures throughput, not the abuse limits.
        "FEEDBACK_RATE_PER_IP": str(10**9),
        "FEEDBACK_RATE_PER_CHANNEL": str(10**9),
    }


SETUP = """
from orgs import services as orgs
from reviews import services as reviews
from reviews.feedback import services as feedback
from django.contrib.auth import get_user_model
owner = get_user_model().objects.create_user("bench", password="x")
org = orgs.organization_create(actor=owner, name="Bench", slug="bench")
system = reviews.system_create(actor=owner, organization=org, name="Model")
review = reviews.review_create(actor=owner, system=system, title="Review")
channel = feedback.channel_create(
    actor=owner, review=review, title="Bench", system_description="S", purpose="P"
)
print(channel.token)
"""


def setup(env: dict[str, str]) -> str:
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # DEBUG is off: pages name their static files through the collected manifest.
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1]


def serve(
    module: str, port: int, workers: int, threads: int, env: dict[str, str], cwd: Path
) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            module,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--preload",
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return process
        except requests.RequestException:  # not listening yet, or a worker still loading
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn on port {port} did not start")


TICK = os.sysconf("SC_CLK_TCK")
RECONNECT_EVERY = 50


def cpu_seconds(pids: list[int], reaped: bool = False) -> float:
    """User + system CPU of these processes so far (from /proc; vanished ones count 0),
    with ``reaped`` also that of their children that have ended."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        if reaped:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime (16 and 17)
    return total / TICK


def tree(pid: int) -> list[int]:
    """A process and its children (gunicorn's master and workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(c) for c in children)]


def postgres_cpu() -> float:
    """CPU of every PostgreSQL process on the machine so far, the benchmark's backends
    among them. Backends come and go (Django reconnects every CONN_MAX_AGE seconds): an
    ended one's CPU is in the server process's count of its reaped children."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return cpu_seconds(found, reaped=True)


def run_clients(clients: int, seconds: float, work) -> tuple[list[float], list[int], float]:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def loop(index: int) -> None:
        session, prepare = work(index)
        n = 0
        while time.perf_counter() < stop:
            if n and n % RECONNECT_EVERY == 0:
                # A new connection now and then, as browsers open them: gunicorn hands
                # each kept-alive connection to one worker, and six clients held for the
                # whole round could sit on one worker of three (rounds then differed by a
                # third, 205 against 278 req/s, with the same code).
                session.close()
            start = time.perf_counter()
            status = prepare(session, n)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
            n += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15, help="per side and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=6)
    # As docker-compose.yml and the Dockerfile serve the app.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    port = int(os.environ.get("BENCH_PORT", "8210"))
    recreate_database()
    servers: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            var = Path(tmp)
            env = app_env(var)
            token = setup(env)
            (var / "hello_wsgi.py").write_text(HELLO)
            servers.append(serve("config.wsgi", port, args.workers, args.threads, env, ROOT))
            servers.append(
                serve("hello_wsgi:application", port + 1, args.workers, args.threads, env, var)
            )
            form_url = f"http://127.0.0.1:{port}/f/{token}/"
            hello_url = f"http://127.0.0.1:{port + 1}/"
            run_id = secrets.token_hex(4)

            def form_client(index: int, tag: str = run_id):
                session = requests.Session()
                page = session.get(form_url, timeout=60)
                csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                assert csrf, "no CSRF token on the form"
                token_value = csrf.group(1)

                def post(s: requests.Session, n: int) -> int:
                    data = {
                        "csrfmiddlewaretoken": token_value,
                        "text": f"bench {tag} client {index} post {n}: refused, no reason.",
                        "effects": "refused",
                        "consent_read": "on",
                    }
                    return s.post(form_url, data=data, timeout=60).status_code

                return session, post

            def hello_client(index: int):
                session = requests.Session()
                return session, lambda s, n: s.get(hello_url, timeout=30).status_code

            # Warm both sides alike (each worker thread's first requests load templates,
            # translations and a database connection); the warm-up's rows are not counted.
            run_clients(args.clients, 3, hello_client)
            run_clients(args.clients, 3, lambda index: form_client(index, tag="warm-up"))
            cpu: dict[str, dict[str, float]] = {}
            rounds: list[tuple[float, float]] = []

            def measured(name: str, server: subprocess.Popen, work):
                # CPU per request of each party: the numbers that don't depend on what
                # else the machine is doing, unlike requests per second.
                pids = tree(server.pid)
                before = (cpu_seconds(pids), postgres_cpu(), time.process_time())
                result = run_clients(args.clients, args.seconds, work)
                after = (cpu_seconds(pids), postgres_cpu(), time.process_time())
                totals = cpu.setdefault(name, {"server": 0, "postgres": 0, "client": 0, "n": 0})
                for i, part in enumerate(("server", "postgres", "client")):
                    totals[part] += after[i] - before[i]
                totals["n"] += len(result[0])
                return result

            # Rounds alternate the sides, so that a change in what else the machine does
            # falls on both alike; each round's ratio is printed and their median judged.
            hello_lat: list[float] = []
            hello_status: list[int] = []
            form_lat: list[float] = []
            form_status: list[int] = []
            hello_time = form_time = 0.0
            for r in range(args.rounds):
                lat, status, took = measured("hello world", servers[1], hello_client)
                hello_lat += lat
                hello_status += status
                hello_time += took
                hello_round = len(lat) / took
                lat, status, took = measured(
                    "feedback POST", servers[0], lambda i, r=r: form_client(i, f"{run_id} r{r}")
                )
                form_lat += lat
                form_status += status
                form_time += took
                rounds.append((hello_round, len(lat) / took))
            ok = form_status.count(200)
            with psycopg.connect(database_url()) as conn:
                rows, distinct = conn.execute(
                    "SELECT COUNT(*), COUNT(DISTINCT text) FROM feedback_submission "
                    "WHERE text LIKE %s",
                    [f"bench {run_id} %"],
                ).fetchone()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        drop_database()

    hello_rps = len(hello_lat) / hello_time
    form_rps = len(form_lat) / form_time
    side = "{:13}: {:8.1f} req/s, p50 {:6.1f} ms, p99 {:6.1f} ms, non-200 answers: {}"
    print(
        f"{args.clients} client threads; gunicorn {args.workers} workers x {args.threads} "
        f"threads a side; {args.rounds} rounds of {args.seconds:g} s a side"
    )
    for name, rps, lat, status in (
        ("hello world", hello_rps, hello_lat, hello_status),
        ("feedback POST", form_rps, form_lat, form_status),
    ):
        p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
        print(side.format(name, rps, p50, p99, len(status) - status.count(200)))
    for name, parts in cpu.items():
        n = max(parts["n"], 1)
        print(
            f"{name:13}: CPU per request: app server {parts['server'] / n * 1000:.2f} ms, "
            f"PostgreSQL {parts['postgres'] / n * 1000:.2f} ms, load generator "
            f"{parts['client'] / n * 1000:.2f} ms"
        )
    ratios = [form / hello for hello, form in rounds]
    each = ", ".join(f"{h:.0f} / {f:.0f} req/s = {f / h:.1%}" for h, f in rounds)
    print(f"rounds       : hello world / feedback POST: {each}")
    print(
        f"ratio        : {statistics.median(ratios):.1%} of hello world, median of the rounds "
        f"(all rounds together {form_rps / hello_rps:.1%}; goal >= 25%)"
    )
    print(
        f"rows         : {rows} stored for {ok} answers of 200; {rows - distinct} duplicated, "
        f"{ok - rows} lost (goal: 0 and 0)"
    )


if __name__ == "__main__":
    main()
