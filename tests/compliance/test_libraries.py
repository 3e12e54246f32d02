"""Framework libraries and crosswalk mappings: the shipped files load and validate, and a
malformed file is refused naming its file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reviews.frameworks.library import (
    RELATIONSHIPS,
    LibraryError,
    diff,
    read_all,
    read_framework,
)
from reviews.frameworks.models import CrosswalkEdge, Framework, Requirement

GOOD = """\
kind: framework
urn: urn:forethought:framework:demo
version: 1
name: Demo
provider: Tests
published: 2026-01-01
licence: CC0
requirements:
  - id: a
    ref: §1
    name: First
    text: Do the first thing.
  - id: b
    parent: a
    ref: §1(a)
    name: Second
    text: Do the second thing.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> LibraryError:
    with pytest.raises(LibraryError) as info:
        read_framework(write(tmp_path, "bad.yaml", text))
    return info.value


def test_it_loads_and_validates_every_shipped_library_and_mapping():
    libraries = read_all()
    by_slug = {f.slug: f for f in libraries.frameworks}
    assert set(by_slug) == {"gdpr", "us-credit", "eu-ai-act", "nyc-ll144", "nist-ai-rmf"}
    refs = {slug: {q.ref for q in f.requirements} for slug, f in by_slug.items()}
    for ref in ["Art. 5", "Art. 6(1)", "Art. 9", "Art. 13(2)(f)", "Art. 14(2)(g)",
                "Art. 15(1)(h)", "Art. 21", "Art. 22(1)", "Art. 22(2)", "Art. 22(3)",
                "Art. 22(4)", "Art. 25", "Art. 35", "Art. 35(7)", "Art. 36"]:  # fmt: skip
        assert ref in refs["gdpr"], ref
    # The three Art. 22(3) safeguards are items of their own.
    assert sum(1 for q in by_slug["gdpr"].requirements if q.ref == "Art. 22(3)") == 4
    for ref in ["Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14", "Art. 15",
                "Art. 17", "Art. 26", "Art. 27", "Art. 72", "Art. 73"]:  # fmt: skip
        assert ref in refs["eu-ai-act"], ref
    annex = [q for q in by_slug["eu-ai-act"].requirements if q.ref.startswith("Annex IV(")]
    assert [q.ref for q in annex] == [f"Annex IV({n})" for n in range(1, 10)]
    credit = " ".join(refs["us-credit"])
    for ref in ["§604", "§607(b)", "§609", "§611", "§615(a)", "§1002.9(b)(2)"]:
        assert ref in credit, ref
    nist = [q for q in by_slug["nist-ai-rmf"].requirements if q.assessable]
    assert len(nist) == 72  # NIST AI 100-1: 19 Govern, 18 Map, 22 Measure, 13 Manage
    assert {q.ref.split()[0] for q in nist} == {"GOVERN", "MAP", "MEASURE", "MANAGE"}
    assert "GOVERN 1.1" in {q.ref for q in nist} and "MANAGE 4.3" in {q.ref for q in nist}
    ll144 = {q.id: q for q in by_slug["nyc-ll144"].requirements}
    assert ll144["audit-age"].freshness_days == 365 and ll144["rates"].computed == "impact_ratios"
    edges = [e for m in libraries.mappings for e in m.edges]
    assert len(edges) >= 30
    for e in edges:
        assert e.relationship in RELATIONSHIPS and 0 <= e.strength <= 10
        assert len(e.justification) > 20, e


def test_the_data_migration_loaded_the_shipped_libraries(db):
    assert Framework.objects.filter(urn="urn:forethought:framework:gdpr", version=1).exists()
    assert Requirement.objects.filter(urn="urn:forethought:req:gdpr:art22-3-human").exists()
    assert CrosswalkEdge.objects.filter(
        source="urn:forethought:req:gdpr:art22-3-human",
        target="urn:forethought:req:eu-ai-act:art14",
    ).exists()


def test_it_names_file_line_and_field_of_a_missing_field(tmp_path):
    error = refusal(tmp_path, GOOD.replace("    text: Do the second thing.\n", ""))
    assert (error.file, error.line, error.field) == ("bad.yaml", 13, "requirements[1].text")
    assert str(error) == "bad.yaml:13: requirements[1].text: required"


def test_it_refuses_a_parent_that_does_not_exist_above(tmp_path):
    error = refusal(tmp_path, GOOD.replace("parent: a", "parent: zz"))
    assert (error.line, error.field) == (14, "requirements[1].parent")
    assert "no requirement 'zz'" in error.message


def test_it_refuses_a_duplicate_id_and_a_duplicate_key(tmp_path):
    error = refusal(tmp_path, GOOD.replace("  - id: b", "  - id: a"))
    assert (error.line, error.field) == (13, "requirements[1].id")
    error = refusal(tmp_path, GOOD.replace("version: 1\n", "version: 1\nversion: 2\n"))
    assert error.line == 4 and "duplicate key 'version'" in error.message


def test_it_refuses_an_unknown_field_and_broken_yaml(tmp_path):
    error = refusal(tmp_path, GOOD.replace("    ref: §1\n", "    ref: §1\n    txet: typo\n"))
    assert (error.line, error.field) == (11, "requirements[0].txet")
    error = refusal(tmp_path, GOOD.replace("name: Demo", "name: [Demo"))
    assert error.line is not None and "not valid YAML" in error.message


def test_it_refuses_a_mapping_edge_without_a_known_relationship(tmp_path):
    write(tmp_path, "demo.yaml", GOOD)
    (tmp_path / "mappings").mkdir()
    write(
        tmp_path / "mappings",
        "m.yaml",
        """\
        urn: urn:forethought:mapping:demo
        name: Demo to demo
        source: urn:forethought:framework:demo
        target: urn:forethought:framework:demo
        edges:
          - source: a
            target: b
            relationship: overlaps
            rationale: semantic
            strength: 5
            justification: Because.
        """,
    )
    with pytest.raises(LibraryError) as info:
        read_all(tmp_path)
    assert (info.value.file, info.value.line, info.value.field) == (
        "m.yaml",
        8,
        "edges[0].relationship",
    )


def test_the_command_exits_2_naming_the_bad_file_and_writes_nothing(tmp_path, db):
    write(tmp_path, "demo.yaml", GOOD.replace("published: 2026-01-01", "published: soon"))
    with pytest.raises(CommandError) as info:
        call_command("load_frameworks", dir=str(tmp_path))
    assert info.value.returncode == 2
    assert "demo.yaml:6: published: must be a date" in str(info.value)
    assert not Framework.objects.filter(urn="urn:forethought:framework:demo").exists()


def test_the_command_loads_a_directory_and_is_idempotent(tmp_path, db):
    write(tmp_path, "demo.yaml", GOOD)
    call_command("load_frameworks", dir=str(tmp_path))
    call_command("load_frameworks", dir=str(tmp_path))
    framework = Framework.objects.get(urn="urn:forethought:framework:demo")
    rows = list(framework.requirements.values_list("urn", "parent__local_id", "depth"))
    assert rows == [
        ("urn:forethought:req:demo:a", None, 0),
        ("urn:forethought:req:demo:b", "a", 1),
    ]


def test_a_diff_sees_added_changed_removed_and_renamed_items(tmp_path):
    old = read_framework(write(tmp_path, "v1.yaml", GOOD))
    new_text = (
        GOOD.replace("version: 1", "version: 2")
        .replace("  - id: b\n    parent: a", "  - id: b2\n    renamed_from: b\n    parent: a")
        .replace("Do the first thing.", "Do the first thing well.")
        + "  - id: c\n    ref: §2\n    name: Third\n    text: New.\n"
    )
    new = read_framework(write(tmp_path, "v2.yaml", new_text))
    change = diff(old.requirements, new.requirements)
    assert [q.id for q in change["added"]] == ["c"]
    assert [q.id for q in change["changed"]] == ["a"]
    assert [(o.id, n.id) for o, n in change["renamed"]] == [("b", "b2")]
    assert change["removed"] == []
