"""Dossier benchmark: a review with 200 harms (rated, with stakeholders and mitigations),
500 community feedback submissions (four languages, themed, linked to harms, replied to,
some hidden or spam), three regulation checklists (GDPR, EU AI Act, US credit) answered
with evidence, and three audit runs, exported as a signed dossier, beside a bare
WeasyPrint render of the same HTML. Prints pages, wall time and peak memory of each side
and their ratio.

    .venv/bin/python benchmarks/dossier_bench.py

Each side renders in a fresh process (peak resident memory is the process's own). The
audit charts are read from storage, as an export reads them (each run's were drawn when
it finished, during the set-up); the output says what drawing them afresh costs. The
goal (issue 13): under 10 s wall and 1 GB peak on this machine.
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
    # Replies email the submitters who agreed to be contacted: keep them off stdout.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


# Feedback: the demo channel's words (reviews/feedback/data/demo_feedback.json), repeated
# with a number so none is a duplicate; languages, effects and moderation follow the demo.
FEEDBACK_THEMES = (
    "No reason given",
    "Young applicants",
    "Rates and postcodes",
    "Stress and debt",
    "Use of bank data",
    "No way to appeal",
)
# GDPR and the EU AI Act (credit scoring is high-risk, Annex III 5(b)) and the US credit
# rules: what a lender's review would attach.
CHECKLISTS = ("gdpr", "eu-ai-act", "us-credit")


def build_review() -> int:
    """200 harms, three audits, 500 feedback submissions and three checklists in a fresh
    database; returns the review's id."""
    from django.core.management import call_command

    from orgs.models import Role
    from tests.conftest import add_member, make_org, make_review, make_system, make_user

    call_command("migrate", verbosity=0)
    owner = make_user("bench-owner")
    org = make_org(owner, name="Bench Lending", slug="bench")
    people = {"owner": owner}
    for name, role in (("facilitator", Role.FACILITATOR), ("reviewer", Role.REVIEWER)):
        people[name] = make_user(f"bench-{name}")
        add_member(org, people[name], role)
    review = make_review(make_system(org, owner), owner, title="Benchmark review")
    harms = add_harms(review, owner)
    runs = add_audits(review, owner)
    add_feedback(review, owner, harms)
    add_checklists(review, people, harms, runs)
    return int(review.pk)


def add_harms(review, owner) -> list:
    from reviews.harms import services as harms
    from reviews.harms.models import HarmCategory

    categories = list(HarmCategory.objects.all())
    people = [
        harms.stakeholder_create(actor=owner, review=review, name=f"Group {i}", kind=kind)
        for i, kind in enumerate(["direct", "indirect", "excluded", "direct", "sponsor"])
    ]
    out = []
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
        out.append(harm)
    return out


def add_audits(review, owner) -> list:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits import services as audits
    from audits.engine.config import AuditConfig
    from audits.engine.synthetic import synthetic_loans

    runs = []
    for seed in (1, 2, 3):
        frame = synthetic_loans(n=50_000, seed=seed)
        upload = SimpleUploadedFile(f"loans-{seed}.csv", frame.to_csv(index=False).encode())
        dataset = audits.dataset_upload(
            actor=owner, organization=review.organization, upload=upload
        )
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
        runs.append(run)
    return runs


def add_feedback(review, owner, harms: list) -> None:
    """500 submissions: half English, the rest Spanish, French and Arabic; two in three
    themed, one in four linked to a harm, some with contact details; replies to four
    themes and to 25 single submissions; 15 hidden and 10 marked as spam."""
    from reviews.feedback import demo
    from reviews.feedback import services as feedback

    rows = [r for r in json.loads(demo.DATA.read_text())["submissions"] if "status" not in r]
    by_language = {
        lang: [r for r in rows if r["language"] == lang] for lang in ("en", "es", "fr", "ar")
    }
    channel = feedback.channel_create(
        actor=owner,
        review=review,
        title="Tell us about a loan decision",
        system_description="A model recommends whether to approve personal loans.",
        purpose="Tell us how a decision affected you: we read every message and reply.",
    )
    themes = [feedback.theme_create(actor=owner, review=review, name=n) for n in FEEDBACK_THEMES]
    languages = ["en"] * 10 + ["es"] * 4 + ["fr"] * 3 + ["ar"] * 3
    singles = []
    for i in range(500):
        lang = languages[i % len(languages)]
        row = by_language[lang][i % len(by_language[lang])]
        contact = i % 5 == 0
        submission, _code = feedback.submission_create(
            channel=channel,
            text=f"{row['text']} ({i + 1})",
            language=lang,
            effects=row.get("effects", []),
            email=f"person{i}@example.net" if contact else "",
            consent_contact=contact,
            consent_keep_text=True,
        )
        if i % 50 == 7:
            feedback.submission_mark_spam(actor=owner, submission=submission)
            continue
        if i % 50 == 13 or i % 100 == 31:
            feedback.submission_hide(actor=owner, submission=submission, reason="Abusive.")
            continue
        if i % 3 != 2:
            feedback.submission_triage(
                actor=owner, submission=submission, themes=[themes[i % len(themes)]]
            )
        if i % 4 == 0:
            feedback.submission_link_harm(
                actor=owner, submission=submission, harm=harms[i % len(harms)]
            )
        if i % 20 == 1:
            singles.append(submission)
    for theme, harm in zip(themes[:4], harms, strict=False):
        feedback.reply_create(
            actor=owner,
            review=review,
            text=f"You said: {theme.name.lower()}. We changed the process; see the plan.",
            theme=theme,
            mitigation=harm.mitigations.first(),
        )
    for submission in singles:
        feedback.reply_create(
            actor=owner,
            review=review,
            text="Thank you: we added what you told us to the list of harms to fix.",
            submission=submission,
        )


def add_checklists(review, people: dict, harms: list, runs: list) -> None:
    """GDPR, EU AI Act and US credit: about one item in ten not applicable (with a
    justification), the rest met, partly met, not met, in progress or not started; met
    items signed off by the reviewer; evidence links, harms and audit runs attached."""
    import datetime

    from django.utils import timezone

    from reviews.compliance import services as compliance
    from reviews.frameworks import selectors as frameworks

    statuses = ["met", "met", "partially_met", "in_progress", "met", "not_met", "not_started"]
    today = timezone.localdate()
    owner = people["owner"]
    for slug in CHECKLISTS:
        framework = frameworks.latest(f"urn:forethought:framework:{slug}")
        checklist = compliance.checklist_attach(actor=owner, review=review, framework=framework)
        items = checklist.assessments.select_related("requirement").order_by("requirement__order")
        for i, item in enumerate(items):
            if i % 10 == 9:
                compliance.assessment_update(
                    actor=owner,
                    assessment=item,
                    applicable=False,
                    justification="The system takes no decision this requirement covers; "
                    "a loan officer decides and the model only recommends.",
                )
                continue
            status = statuses[i % len(statuses)]
            if status == "not_started":
                continue
            compliance.assessment_update(
                actor=owner,
                assessment=item,
                status=status,
                note=f"Assessed in the benchmark review ({status.replace('_', ' ')}).",
                owner=people["facilitator"],
                due_date=None if status == "met" else today + datetime.timedelta(days=7 + i),
            )
            if status in ("met", "partially_met"):
                compliance.assessment_sign_off(actor=people["reviewer"], assessment=item)
                compliance.evidence_add(
                    actor=owner,
                    assessment=item,
                    kind="url",
                    url=f"https://intranet.example.org/{slug}/{item.requirement.local_id}",
                    label=f"Policy record for {item.requirement.local_id}",
                )
            if i % 3 == 0:
                compliance.evidence_add(
                    actor=owner, assessment=item, kind="harm", target_id=harms[i].pk
                )
            if i % 4 == 1:
                compliance.evidence_add(
                    actor=owner, assessment=item, kind="audit_run", target_id=runs[i % 3].pk
                )


def side(kind: str, var_dir: str, work: str) -> None:
    """One side, in its own process: prints wall seconds, pages and peak RSS (MiB)."""
    setup_django(var_dir)
    html = Path(work, "dossier.html").read_text()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if kind == "bare":
        import weasyprint

        from audits.dossiers.pdf.fetcher import STATIC_ROOT

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

        from audits.chart_store import review_run_charts
        from audits.dossiers import gather, render
        from audits.signatures import signing
        from reviews.models import Review

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        started = time.perf_counter()
        review = Review.objects.get(pk=build_review())
        print(
            "set-up (200 harms, 500 feedback submissions, 3 checklists, 3 audits of 50,000 "
            f"rows): {time.perf_counter() - started:.1f} s"
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        data = gather.build(review, signing.credentials(settings).identity())
        gathered = time.perf_counter() - started
        started = time.perf_counter()
        # As an export does: each run's charts were drawn and stored when it finished.
        html = render.to_html(data, review_run_charts(review.pk))
        templated = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        started = time.perf_counter()
        drawn = render.figures(data)["charts"]
        redraw = time.perf_counter() - started
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
            f"the {sum(bool(c) for d in drawn.values() for c in d.values())} audit charts are "
            "read from storage (drawn when each run finished); drawing them afresh takes "
            f"{redraw:.2f} s"
        )
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
            f"export total (gather + HTML + render + sign): {total:.2f} s wall "
            f"({cpu + dossier['cpu']:.2f} s CPU) — {verdict} the 10 s / 1 GB goal"
        )


if __name__ == "__main__":
    main()
