"""An export's child process: its time and memory limits and what a crash says; and the
reproducibility promise: the recorded configuration and input file give the same numbers
again through run_audit."""

from __future__ import annotations

import datetime
import gc
import hashlib
import json
import os
import time

import pytest
from django.core.management import call_command

from audits.dossiers import pdf
from audits.dossiers.pdf import isolate
from audits.models import Dataset

from . import child_jobs

pytestmark = pytest.mark.django_db


def test_the_child_reports_progress_and_returns_its_result():
    seen = []
    pid = isolate.run(
        child_jobs.pid, (), progress=lambda p, s: seen.append((p, s)), timeout=30, memory_mb=0
    )
    assert pid != os.getpid()  # it ran in another process, which is gone
    assert seen == [(50, "half way")]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_render_collects_cycles_less_often_and_restores_the_collector_after():
    before = gc.get_threshold()
    seen = []
    pdf_bytes, pages = pdf.write(
        "<p>Hello</p>",
        b"{}",
        datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        progress=lambda percent, stage: seen.append(gc.get_threshold()),
    )
    assert pdf_bytes.startswith(b"%PDF-") and pages == 1
    assert seen and set(seen) == {pdf.RENDER_GC_THRESHOLDS}
    assert gc.get_threshold() == before != pdf.RENDER_GC_THRESHOLDS


def test_an_export_past_its_time_is_stopped_with_the_setting_named():
    started = time.monotonic()
    with pytest.raises(isolate.ExportLimit, match="DOSSIER_TIME_LIMIT"):
        isolate.run(child_jobs.sleep, (30,), progress=lambda *a: None, timeout=1, memory_mb=0)
    assert time.monotonic() - started < 10


def test_an_export_past_its_memory_is_stopped_with_the_setting_named():
    with pytest.raises(isolate.ExportLimit, match="DOSSIER_MEMORY_MB"):
        isolate.run(child_jobs.hog, (2048,), progress=lambda *a: None, timeout=30, memory_mb=512)


def test_a_crashed_export_says_so():
    with pytest.raises(isolate.ExportLimit, match="stopped unexpectedly"):
        isolate.run(child_jobs.crash, (3,), progress=lambda *a: None, timeout=30, memory_mb=0)


def test_without_isolation_it_runs_here():
    assert (
        isolate.run(
            child_jobs.pid, (), progress=lambda *a: None, timeout=1, memory_mb=0, isolate=False
        )
        == os.getpid()
    )


def test_the_recorded_config_and_input_rerun_to_the_same_numbers(demo, demo_media, capsys):
    """What docs/dossiers.md tells a third party: check the input's SHA-256, then run
    run_audit with the recorded configuration; the numbers are the dossier's."""
    appendix = next(s["data"] for s in demo.data["sections"] if s["key"] == "appendix")
    (recorded,) = appendix["inputs"]
    (config,) = [c["config"] for c in appendix["configs"]]
    dataset = Dataset.objects.get(sha256=recorded["sha256"])
    with dataset.file.open("rb") as f:
        content = f.read()
    assert hashlib.sha256(content).hexdigest() == recorded["sha256"]
    args = [
        dataset.file.path,
        "--y-true",
        config["y_true"],
        "--sensitive",
        ",".join(config["sensitive"]),
        "--bootstrap",
        str(config["bootstrap"]),
        "--seed",
        str(config["seed"]),
        "--min-group-size",
        str(config["min_group_size"]),
        "--positive-is",
        config["positive_is"],
    ]
    for option in ("y_pred", "y_score", "threshold", "positive", "weight"):
        if config[option] is not None:
            args += [f"--{option.replace('_', '-')}", str(config[option])]
    for column, value in config["reference"].items():
        args += ["--reference", f"{column}={value}"]
    capsys.readouterr()
    call_command("run_audit", *args)
    rerun = json.loads(capsys.readouterr().out)
    audits = next(s["data"] for s in demo.data["sections"] if s["key"] == "audits")
    (run,) = audits["runs"]
    assert rerun["rows"] == run["rows"] == recorded["rows"]
    for dim, again in zip(run["dimensions"], rerun["dimensions"], strict=True):
        assert dim["name"] == again["name"]
        for metric in dim["summary"]:
            theirs = again["summary"][metric["metric"]]
            assert theirs["value"] == pytest.approx(metric["value"], abs=1e-12), metric
            assert theirs["ci"] == pytest.approx(metric["ci"], abs=1e-12), metric
        assert again["impact_ratios"]["missing_rows"] == dim["impact_ratios"]["unknown_rows"]
