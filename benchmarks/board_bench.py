"""Live board benchmark: a real workshop against gunicorn on PostgreSQL, beside a one-view
Django hello world in the same run; prints both sides and their ratio.

    .venv/bin/python benchmarks/board_bench.py            # 50 participants, 200 cards, 30 s
    .venv/bin/python benchmarks/board_bench.py --quick    # 10 s

1. Cost of a poll when nothing changed, against hello world: requests per second of a
   closed loop of 8 clients on each side.
2. The workshop: 50 participants each poll the board once a second (their own session,
   carrying the state their board shows), 200 cards on it, and one rating or vote a second
   posted through the board as HTMX does; meanwhile 50 hello-world clients ask once a second.
   Goals: every participant sees every change within 2 s, p99 of their requests under
   300 ms, no poll dropped (every poll answered 200 or 204, none late by a whole second).

Needs PostgreSQL (BENCH_DATABASE_URL, see benchmarks/_server.py); makes and drops its own
database.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import threading
import time

from _server import (
    HELLO_PORT,
    PORT,
    database,
    get,
    median,
    percentile,
    post,
    servers,
    session_cookie,
    throughput,
)

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "50"))
CARDS = 200
CSRF = "benchmarkcsrftoken0123456789abcd"  # 32 characters: the cookie and header agree
VERSION = re.compile(rb'data-version="([^"]+)"')


def seed():
    from orgs.models import Membership, Role
    from reviews.workshops import services as ws
    from reviews.workshops.models import WorkshopParticipant
    from tests.conftest import make_org, make_review, make_system, make_user
    from tests.perf import fill

    facilitator = make_user("facilitator")
    org = make_org(facilitator)
    review = make_review(make_system(org, facilitator), facilitator)
    workshop = ws.workshop_create(actor=facilitator, review=review, title="Benchmark board")
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    people = []
    for i in range(PARTICIPANTS):
        user = make_user(f"participant{i}")
        Membership.objects.create(organization=org, user=user, role=Role.PARTICIPANT)
        WorkshopParticipant.objects.create(organization=org, workshop=workshop, user=user)
        people.append(user)
    cards = fill.board(workshop, CARDS, people[:5])
    workshop.refresh_from_db()
    return workshop, facilitator, people, cards


def seq_of(token: str) -> int:
    return int(token.split(".", 1)[0])


def run_workshop(workshop, facilitator, people, cards, seconds: float) -> dict:
    board = f"/workshops/{workshop.pk}/board/"
    cookies = [session_cookie(p) for p in people]
    writer_cookie = session_cookie(facilitator)
    changes: list[tuple[int, float]] = []  # (seq made, when the write answered)
    seen: list[dict[int, float]] = [{} for _ in people]  # per participant: seq → first seen
    latencies: list[float] = []
    hello_latencies: list[float] = []
    dropped: list[str] = []
    lock = threading.Lock()
    # Everyone opens the board before the clock starts (people join over minutes, not in
    # the same second): the run measures the workshop, not fifty first page loads at once.
    tokens = []
    for cookie in cookies:
        status, body, _ = get(PORT, board, cookie, timeout=60)
        tokens.append(VERSION.search(body).group(1).decode())
    start = time.perf_counter() + 1.0
    stop = start + seconds

    def participant(i: int) -> None:
        token = tokens[i]
        tick = start + random.random()  # spread the polls over the second
        while tick < stop:
            time.sleep(max(0.0, tick - time.perf_counter()))
            if time.perf_counter() - tick > 1.0:
                with lock:
                    dropped.append(f"participant {i} late by {time.perf_counter() - tick:.1f}s")
            try:
                status, body, took = get(PORT, f"{board}?v={token}", cookies[i])
            except OSError as exc:
                with lock:
                    dropped.append(f"participant {i}: {exc}")
                tick += 1.0
                continue
            now = time.perf_counter()
            with lock:
                latencies.append(took)
                if status not in (200, 204):
                    dropped.append(f"participant {i}: HTTP {status}")
            if status == 200:
                found = VERSION.search(body)
                if found:
                    token = found.group(1).decode()
                    seen[i].setdefault(seq_of(token), now)
            tick += 1.0

    def hello_client() -> None:
        tick = start + random.random()
        while tick < stop:
            time.sleep(max(0.0, tick - time.perf_counter()))
            try:
                status, _, took = get(HELLO_PORT, "/")
                with lock:
                    hello_latencies.append(took)
            except OSError:
                pass
            tick += 1.0

    def writer() -> None:
        tick = start + 0.5
        n = 0
        while tick < stop - 2.5:  # leave time for the last change to reach everyone
            time.sleep(max(0.0, tick - time.perf_counter()))
            card = cards[n % len(cards)]
            if n % 2:
                path = f"/workshops/{workshop.pk}/cards/{card.pk}/vote/"
                fields = {}
            else:
                path = f"/workshops/{workshop.pk}/cards/{card.pk}/rate/"
                fields = {"severity": 1 + n % 5, "likelihood": 1 + (n * 3) % 5, "scale": 3}
            try:
                status, body, took = post(PORT, path, writer_cookie, fields, CSRF)
            except OSError as exc:
                with lock:
                    dropped.append(f"write: {exc}")
                n += 1
                tick += 1.0
                continue
            done = time.perf_counter()
            found = VERSION.search(body)
            if status == 200 and found:
                with lock:
                    changes.append((seq_of(found.group(1).decode()), done))
                    latencies.append(took)
            else:
                with lock:
                    dropped.append(f"write HTTP {status}")
            n += 1
            tick += 1.0

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(len(people))]
    threads += [threading.Thread(target=hello_client) for _ in range(len(people))]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    delays = []
    missed = 0
    for seq, made in changes:
        for mine in seen:
            at = min((t for s, t in mine.items() if s >= seq), default=None)
            if at is None:
                missed += 1
            else:
                delays.append(max(0.0, at - made))
    return {
        "polls": len(latencies),
        "p50": median(latencies),
        "p99": percentile(latencies, 99),
        "hello_p50": median(hello_latencies),
        "hello_p99": percentile(hello_latencies, 99),
        "changes": len(changes),
        "seen_max": max(delays, default=float("nan")),
        "seen_p99": percentile(delays, 99),
        "missed": missed,
        "dropped": dropped,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 10.0 if args.quick else 30.0
    with database():
        workshop, facilitator, people, cards = seed()
        idle = session_cookie(people[0])
        with servers():
            status, body, _ = get(PORT, f"/workshops/{workshop.pk}/board/", idle)
            token = VERSION.search(body).group(1).decode()
            hello_rps, hello_ms, _ = throughput(HELLO_PORT, "/")
            poll_rps, poll_ms, errors = throughput(
                PORT, f"/workshops/{workshop.pk}/board/?v={token}", idle
            )
            print("1. A poll when nothing changed (8 clients, closed loop, 4 s each)")
            print(f"   hello world      {hello_rps:8.0f} req/s   median {hello_ms * 1000:6.1f} ms")
            print(f"   board poll (204) {poll_rps:8.0f} req/s   median {poll_ms * 1000:6.1f} ms")
            print(f"   ratio            {hello_rps / poll_rps:8.1f}x the cost of hello world")
            full_status, full, full_s = get(PORT, f"/workshops/{workshop.pk}/", idle)
            print(f"   the whole board page ({CARDS} cards): {full_s * 1000:.0f} ms")
            result = run_workshop(workshop, facilitator, people, cards, seconds)
    print(
        f"2. Workshop: {PARTICIPANTS} participants polling each second, {CARDS} cards, "
        f"one rating or vote a second, {seconds:.0f} s"
    )
    print(
        f"   participants  {result['polls']:5d} requests   p50 {result['p50'] * 1000:6.1f} ms"
        f"   p99 {result['p99'] * 1000:6.1f} ms"
    )
    print(
        f"   hello world   (same run)      p50 {result['hello_p50'] * 1000:6.1f} ms"
        f"   p99 {result['hello_p99'] * 1000:6.1f} ms"
    )
    print(
        f"   ratio         p50 {result['p50'] / result['hello_p50']:.1f}x   "
        f"p99 {result['p99'] / result['hello_p99']:.1f}x hello world"
    )
    print(
        f"   changes {result['changes']}: seen by every participant within "
        f"{result['seen_max']:.2f} s at worst (p99 {result['seen_p99']:.2f} s); "
        f"{result['missed']} participant-changes never seen"
    )
    print(f"   polls dropped: {len(result['dropped'])} {result['dropped'][:5]}")
    goals = {
        "change seen within 2 s": result["seen_max"] <= 2.0 and result["missed"] == 0,
        "p99 under 300 ms": result["p99"] < 0.3,
        "no poll dropped": not result["dropped"],
    }
    for goal, met in goals.items():
        print(f"   goal: {goal:<24} {'met' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
