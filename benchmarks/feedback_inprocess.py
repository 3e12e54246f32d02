"""CPU of one public feedback POST in one process, without gunicorn or a load generator:
the WSGI application called directly, on PostgreSQL, as the form's clients call it.

    .venv/bin/python benchmarks/feedback_inprocess.py            # 3,000 POSTs
    .venv/bin/python benchmarks/feedback_inprocess.py --profile  # and a cProfile (CPU time)

Prints the app's CPU per POST (this process) and PostgreSQL's (every postgres process,
from /proc): numbers that say what a change to the POST's code did, with less noise than
requests per second (benchmarks/feedback_bench.py). Needs PostgreSQL as that one does; its
throwaway database is ``forethought_fbprof``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedback_bench as bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile (CPU time)")
    args = parser.parse_args()
    bench.DB = "forethought_fbprof"
    bench.recreate_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = bench.app_env(Path(tmp))
            token = bench.setup(env)
            os.environ.update(env)
            os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
            sys.path.insert(0, str(bench.ROOT))
            from config.wsgi import application

            def call(method: str, path: str, body: bytes = b"", cookie: str = ""):
                environ = {
                    "REQUEST_METHOD": method,
                    "PATH_INFO": path,
                    "QUERY_STRING": "",
                    "SERVER_NAME": "127.0.0.1",
                    "SERVER_PORT": "8210",
                    "HTTP_HOST": "127.0.0.1:8210",
                    "wsgi.input": io.BytesIO(body),
                    "CONTENT_LENGTH": str(len(body)),
                    "CONTENT_TYPE": "application/x-www-form-urlencoded",
                    "wsgi.url_scheme": "http",
                    "SERVER_PROTOCOL": "HTTP/1.1",
                    "REMOTE_ADDR": "127.0.0.1",
                    "HTTP_COOKIE": cookie,
                    "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9",
                    "wsgi.errors": sys.stderr,
                }
                answer: dict = {}

                def start_response(status, headers, exc_info=None):
                    answer.update(status=status, headers=headers)

                content = b"".join(application(environ, start_response))
                return answer, content

            url = f"/f/{token}/"
            page, content = call("GET", url)
            cookie = next(v for k, v in page["headers"] if k == "Set-Cookie").split(";")[0]
            found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
            assert found, "no CSRF token on the form"
            csrf = found.group(1).decode()

            def post(n: int) -> None:
                body = urlencode(
                    {
                        "csrfmiddlewaretoken": csrf,
                        "text": f"in process {n} {secrets.token_hex(4)}: refused, no reason.",
                        "effects": "refused",
                        "consent_read": "on",
                    }
                ).encode()
                answer, _ = call("POST", url, body, cookie)
                assert answer["status"].startswith("200"), answer["status"]

            for n in range(200):  # warm: templates, translations, the connection
                post(n)
            pg, cpu, wall = bench.postgres_cpu(), time.process_time(), time.perf_counter()
            for n in range(args.posts):
                post(1000 + n)
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            pg = bench.postgres_cpu() - pg
            print(
                f"{args.posts} POSTs in process: CPU per POST {cpu / args.posts * 1000:.2f} ms "
                f"(PostgreSQL {pg / args.posts * 1000:.2f} ms), "
                f"wall {wall / args.posts * 1000:.2f} ms"
            )
            if args.profile:
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                for n in range(args.posts):
                    post(10**6 + n)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(50)
            from django.db import connections

            connections.close_all()
    finally:
        bench.drop_database()


if __name__ == "__main__":
    main()
