from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput, UserField
from reviews.selectors import reviews_for

from . import selectors
from .aggregate import HarmAggregate
from .models import Harm, HarmCategory, Mitigation, Rating, Stakeholder, Vote


def _is_one(instance: Any) -> bool:
    return instance is not None and not isinstance(instance, list | tuple)


class HarmCategorySerializer(StrictInput, serializers.ModelSerializer):
    class Meta:
        model = HarmCategory
        fields = ["slug", "family", "family_name", "name", "prompt"]


class StakeholderSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_for(u))

    class Meta:
        model = Stakeholder
        fields = ["id", "review", "name", "kind", "description", "vulnerable", "created_at"]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _is_one(self.instance):
            self.fields["review"].read_only = True


class AggregateSerializer(StrictInput, serializers.Serializer):
    raters = serializers.IntegerField()
    severity = serializers.FloatField(allow_null=True)
    likelihood = serializers.FloatField(allow_null=True)
    scale = serializers.FloatField(allow_null=True)
    risk = serializers.FloatField(allow_null=True)
    severity_iqr = serializers.FloatField()
    likelihood_iqr = serializers.FloatField()
    contested = serializers.BooleanField()
    votes = serializers.IntegerField()


def aggregate_json(agg: HarmAggregate) -> dict[str, Any]:
    return {
        "raters": agg.raters,
        "severity": agg.severity,
        "likelihood": agg.likelihood,
        "scale": agg.scale,
        "risk": agg.risk,
        "severity_iqr": agg.severity_iqr,
        "likelihood_iqr": agg.likelihood_iqr,
        "contested": agg.contested,
        "votes": agg.votes,
    }


class HarmSerializer(StrictInput, serializers.ModelSerializer):
    """A harm with its rating aggregate. The author is named only when the reader may know
    it (not in an anonymous workshop, unless the reader wrote the card)."""

    review = ScopedPK(lambda u: reviews_for(u))
    category = serializers.SlugRelatedField(slug_field="slug", queryset=HarmCategory.objects.all())
    stakeholders = ScopedPK(selectors.stakeholders_for, many=True, required=False)
    author = serializers.SerializerMethodField()
    aggregate = serializers.SerializerMethodField()

    class Meta:
        model = Harm
        fields = [
            "id",
            "review",
            "title",
            "description",
            "category",
            "stakeholders",
            "source",
            "author",
            "status",
            "status_note",
            "aggregate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "aggregate", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _is_one(self.instance):
            self.fields["review"].read_only = True
        else:
            # A new harm starts open; its status changes afterwards.
            self.fields["status"].read_only = True
            self.fields["status_note"].read_only = True

    def get_author(self, obj: Harm) -> str | None:
        return selectors.author_name(obj, self.context["request"].user)

    @extend_schema_field(AggregateSerializer)
    def get_aggregate(self, obj: Harm) -> dict[str, Any]:
        aggs = self.context.get("aggregates") or {}
        agg = aggs.get(obj.pk) or selectors.harm_aggregates([obj])[obj.pk]
        return aggregate_json(agg)


class WholeNumber(serializers.IntegerField):
    """1 to 5, given as a whole number: 3.0 or "3.5" do not slip through as integers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=5, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, float) or (isinstance(data, str) and not data.strip().isdigit()):
            raise serializers.ValidationError("Give a whole number from 1 to 5.")
        value: int = super().to_internal_value(data)
        return value


class RatingSerializer(StrictInput, serializers.ModelSerializer):
    harm = ScopedPK(selectors.harms_for)
    severity = WholeNumber()
    likelihood = WholeNumber()
    scale = WholeNumber()

    class Meta:
        model = Rating
        fields = ["id", "harm", "severity", "likelihood", "scale", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class VoteSerializer(StrictInput, serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "harm", "created_at"]
        read_only_fields = fields


class MitigationSerializer(StrictInput, serializers.ModelSerializer):
    harm = ScopedPK(selectors.harms_for)
    owner = UserField()

    class Meta:
        model = Mitigation
        fields = [
            "id",
            "harm",
            "action",
            "owner",
            "due_date",
            "status",
            "justification",
            "disposition",
            "evidence_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _is_one(self.instance):
            self.fields["harm"].read_only = True
