"""Dossier benchmark: a review with 200 harms (rated, with stakeholders and mitigations)
and three audit runs, exported as a signed dossier, beside a bare WeasyPrint render of
the same HTML. Prints pages, wall time and peak memory of each side and their ratio.

    .venv/bin/python benchmarks/dossier_bench.py

Each side renders in a fresh process (peak resident memory is the process's own). The
goal (issue 13): under 10 s wall and 1 GB peak on this machine. Community feedback (500
submissions) and regulation checklists are not part of this branch: the review has none.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["FORETHOUGHT_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def build_review() -> int:
    """200 harms and three audits in a fresh database; returns the review's id."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from audits import services as audits
    from audits.engine.config import AuditConfig
    from audits.engine.synthetic import synthetic_loans
    from reviews.harms import services as harms
    from reviews.harms.models import HarmCategory
    from tests.conftest import make_org, make_review, make_system, make_user

    call_command("migrate", verbosity=0)
    owner = make_user("bench-owner")
    org = make_org(owner, name="Bench Lending", slug="bench")
    review = make_review(make_system(org, owner), owner, title="Benchmark review")
    categories = list(HarmCategory.objects.all())
    people = [
        harms.stakeholder_create(actor=owner, review=review, name=f"Group {i}", kind=kind)
        for i, kind in enumerate(["direct", "indirect", "excluded", "direct", "sponsor"])
    ]
    for i in range(200):
        harm = harms.harm_create(
            actor=owner,
            review=review,
            title=f"Harm {i}: applicants in group {i % 7} are declined more often",
            description="A longer description of how the harm arises. " * 3,
            category=categories[i % len(categories)],
            stakeholders=[people[i % len(people)]],
        )
        harms.rating_set(
            actor=owner, harm=harm, severity=1 + i % 5, likelihood=1 + (i // 5) % 5, scale=3
        )
        if i % 2 == 0:
            harms.mitigation_create(
                actor=owner, harm=harm, action=f"Mitigate harm {i}", owner=owner
            )
    for seed in (1, 2, 3):
        frame = synthetic_loans(n=50_000, seed=seed)
        upload = SimpleUploadedFile(f"loans-{seed}.csv", frame.to_csv(index=False).encode())
        dataset = audits.dataset_upload(actor=owner, organization=org, upload=upload)
        run = audits.audit_start(
            actor=owner,
            review=review,
            dataset=dataset,
            config=AuditConfig(
                y_true="repaid",
                y_score="score",
                threshold=0.7,
                sensitive=("age_band", "sex", "race_ethnicity"),
                bootstrap=200,
                seed=seed,
            ),
        )
        if run.status != "succeeded":  # eager mode runs it on commit; outside one, run here
            audits.audit_claim(run.pk, "bench")
            audits.audit_execute(run_id=run.pk)
    return int(review.pk)


def side(kind: str, var_dir: str, work: str) -> None:
    """One side, in its own process: prints wall seconds, pages and peak RSS (MiB)."""
    setup_django(var_dir)
    html = Path(work, "dossier.html").read_text()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if kind == "bare":
        import weasyprint

        from audits.dossiers.fetcher import STATIC_ROOT

        # The same HTML and stylesheet, inlined: no fetcher, no PDF/A, no attachment.
        css = (STATIC_ROOT / "dossiers" / "dossier.css").read_text()
        link = '<link rel="stylesheet" href="dossier-static:dossiers/dossier.css">'
        html = html.replace(link, f"<style>{css}</style>")
        document = weasyprint.HTML(string=html).render()
        pdf = document.write_pdf()
        pages = len(document.pages)
    else:
        from django.conf import settings

        from audits.dossiers import render
        from audits.dossiers.pdf import produce
        from audits.signatures import signing

        data = json.loads(Path(work, "dossier.json").read_text())
        pdf, pages = produce(
            html,
            render.canonical_json(data),
            render.state_time(data),
            signing.config_of(settings),
            "",
            progress=lambda *a: None,
        )
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "pages": pages, "peak_mib": peak}))


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--side":
        side(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    with tempfile.TemporaryDirectory() as var_dir, tempfile.TemporaryDirectory() as work:
        setup_django(var_dir)
        from django.conf import settings

        from audits.dossiers import gather, render
        from audits.signatures import signing
        from reviews.models import Review

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        started = time.perf_counter()
        review = Review.objects.get(pk=build_review())
        print(f"set-up (200 harms, 3 audits of 50,000 rows): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        data = gather.build(review, signing.credentials(settings).identity())
        gathered = time.perf_counter() - started
        started = time.perf_counter()
        html = render.to_html(data)
        templated = time.perf_counter() - started
        Path(work, "dossier.html").write_text(html)
        Path(work, "dossier.json").write_bytes(render.canonical_json(data))
        results = {}
        for kind in ("bare", "dossier"):
            out = (
                subprocess.run(
                    [sys.executable, __file__, "--side", kind, var_dir, work],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            results[kind] = json.loads(out)
        bare, dossier = results["bare"], results["dossier"]
        total = gathered + templated + dossier["wall"]
        print(f"gather data: {gathered:.2f} s; templates and charts (HTML): {templated:.2f} s")
        print(
            f"bare WeasyPrint render of the same HTML: {bare['pages']} pages, "
            f"{bare['wall']:.2f} s wall ({bare['cpu']:.2f} s CPU), peak {bare['peak_mib']:.0f} MiB"
        )
        print(
            f"dossier render (PDF/A-3b, dossier.json, safe fetcher) + PAdES signature: "
            f"{dossier['pages']} pages, {dossier['wall']:.2f} s wall ({dossier['cpu']:.2f} s CPU), "
            f"peak {dossier['peak_mib']:.0f} MiB"
        )
        print(
            f"ratio dossier / bare: {dossier['wall'] / bare['wall']:.2f}× wall, "
            f"{dossier['cpu'] / bare['cpu']:.2f}× CPU, "
            f"{dossier['peak_mib'] / bare['peak_mib']:.2f}× memory"
        )
        verdict = "within" if total < 10 and dossier["peak_mib"] < 1024 else "OVER"
        print(
            f"export total (gather + HTML + render + sign): {total:.2f} s — {verdict} the "
            "10 s / 1 GB goal"
        )


if __name__ == "__main__":
    main()
