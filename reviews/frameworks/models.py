"""Framework libraries (one row per version) and their requirements, and the crosswalk
edges between frameworks: reference data shared by every organization, loaded from the
YAML files in ``libraries/`` (never typed in)."""

from __future__ import annotations

from django.db import models


class Framework(models.Model):
    urn = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=200)
    published = models.DateField()
    licence = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Framework URNs whose checklists may be upgraded to this one (besides its own URN).
    replaces = models.JSONField(default=list, blank=True)
    file = models.CharField(max_length=200)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["urn", "version"], name="one_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Requirement(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="requirements")
    urn = models.CharField(max_length=200)
    local_id = models.CharField(max_length=80)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    ref = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    question = models.TextField(blank=True)
    assessable = models.BooleanField(default=True)
    computed = models.CharField(max_length=40, blank=True)
    freshness_days = models.PositiveIntegerField(null=True, blank=True)
    renamed_from = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "urn"], name="one_requirement_urn")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Relationship(models.TextChoices):
    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset of"
    SUPERSET = "superset", "Superset of"
    INTERSECT = "intersect", "Intersects"


class Rationale(models.TextChoices):
    SYNTACTIC = "syntactic", "Syntactic"
    SEMANTIC = "semantic", "Semantic"
    FUNCTIONAL = "functional", "Functional"


class CrosswalkEdge(models.Model):
    """``source <relationship> target`` between requirements of two frameworks, by URN so
    an edge holds across versions that keep the URN."""

    mapping_urn = models.CharField(max_length=120)
    mapping_name = models.CharField(max_length=200)
    source_framework = models.CharField(max_length=120)
    source = models.CharField(max_length=200)
    target_framework = models.CharField(max_length=120)
    target = models.CharField(max_length=200)
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    rationale = models.CharField(max_length=10, choices=Rationale.choices)
    strength = models.PositiveSmallIntegerField()
    justification = models.CharField(max_length=500)

    class Meta:
        ordering = ["mapping_urn", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_edge_per_pair"),
            models.CheckConstraint(
                condition=models.Q(strength__lte=10), name="edge_strength_0_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.relationship} {self.target}"
