from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Review
from ..serializers import UserField
from . import selectors
from .models import (
    Consequence,
    Harm,
    HarmCategory,
    LaunchGate,
    Mitigation,
    Rating,
    Stakeholder,
    Vote,
    Workshop,
    WorkshopInvitation,
)
from .rounds import current_round

User = get_user_model()


def _user(serializer):
    return serializer.context["request"].user


@extend_schema_field(OpenApiTypes.INT)
class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A related object the requesting user can see; anything else is 'does not exist'."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)


class HarmCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = HarmCategory
        fields = ["slug", "family", "family_name", "name", "prompt"]


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    prompt = serializers.CharField()
    activity = serializers.CharField()


class WorkshopSerializer(serializers.ModelSerializer):
    review = ScopedPK(lambda u: Review.objects.for_user(u))
    facilitator = UserField(required=False)
    round = serializers.SerializerMethodField()
    coverage_warnings = serializers.SerializerMethodField()

    class Meta:
        model = Workshop
        fields = [
            "id",
            "review",
            "title",
            "facilitator",
            "scheduled_at",
            "status",
            "format",
            "current_round",
            "round",
            "anonymous",
            "votes_per_participant",
            "coverage_warnings",
            "created_at",
        ]
        read_only_fields = ["id", "status", "current_round", "created_at"]

    @extend_schema_field(RoundSerializer)
    def get_round(self, obj) -> dict:
        r = current_round(obj)
        return {"number": r.number, "title": r.title, "prompt": r.prompt, "activity": r.activity}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_coverage_warnings(self, obj) -> list[str]:
        return selectors.coverage_warnings(obj)


class WorkshopRoundSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1)


class WorkshopJoinSerializer(serializers.Serializer):
    represents_community = serializers.CharField(required=False, allow_blank=True, default="")


class InvitationSerializer(serializers.ModelSerializer):
    workshop = ScopedPK(selectors.workshops_for)
    days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=90)
    url = serializers.SerializerMethodField()

    class Meta:
        model = WorkshopInvitation
        fields = [
            "id",
            "workshop",
            "label",
            "represents_community",
            "days",
            "max_uses",
            "url",
            "expires_at",
            "revoked_at",
            "uses",
            "created_at",
        ]
        read_only_fields = ["id", "url", "expires_at", "revoked_at", "uses", "created_at"]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("invitation_accept", args=[obj.token])
        )


class StakeholderSerializer(serializers.ModelSerializer):
    review = ScopedPK(lambda u: selectors_reviews(u))
    workshop = ScopedPK(selectors.workshops_for, write_only=True, required=False, allow_null=True)

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "review",
            "workshop",
            "name",
            "kind",
            "description",
            "vulnerable",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


def selectors_reviews(user):
    """Reviews a user can reach: as a full member, or through a workshop seat."""
    from django.db.models import Q

    return Review.objects.filter(
        Q(pk__in=Review.objects.for_user(user).values("pk")) | Q(workshops__participants__user=user)
    ).distinct()


class AggregateSerializer(serializers.Serializer):
    raters = serializers.IntegerField()
    severity = serializers.FloatField(allow_null=True)
    likelihood = serializers.FloatField(allow_null=True)
    scale = serializers.FloatField(allow_null=True)
    risk = serializers.FloatField(allow_null=True)
    severity_iqr = serializers.FloatField()
    likelihood_iqr = serializers.FloatField()
    contested = serializers.BooleanField()
    votes = serializers.IntegerField()


class HarmSerializer(serializers.ModelSerializer):
    review = ScopedPK(selectors_reviews)
    workshop = ScopedPK(selectors.workshops_for, required=False, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=HarmCategory.objects.all())
    stakeholders = ScopedPK(selectors.stakeholders_for, many=True, required=False)
    author = serializers.SerializerMethodField()
    aggregate = serializers.SerializerMethodField()

    class Meta:
        model = Harm
        fields = [
            "id",
            "review",
            "workshop",
            "title",
            "description",
            "category",
            "stakeholders",
            "source",
            "author",
            "status",
            "aggregate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "aggregate", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["review"].read_only = True
            self.fields["workshop"].read_only = True

    def get_author(self, obj) -> str | None:
        if obj.author is None or not selectors.author_visible(obj, _user(self)):
            return None
        return obj.author.username

    @extend_schema_field(AggregateSerializer)
    def get_aggregate(self, obj) -> dict:
        aggs = self.context.get("aggregates") or {}
        agg = aggs.get(obj.pk) or selectors.harm_aggregates([obj])[obj.pk]
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


class RatingSerializer(serializers.ModelSerializer):
    harm = ScopedPK(selectors.harms_for)
    severity = serializers.IntegerField(min_value=1, max_value=5)
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    scale = serializers.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = Rating
        fields = ["id", "harm", "severity", "likelihood", "scale", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def to_internal_value(self, data):
        # 3.0 or "3.5" must not slip through as an integer.
        for name in ("severity", "likelihood", "scale"):
            value = data.get(name) if hasattr(data, "get") else None
            if isinstance(value, float) or (isinstance(value, str) and not value.strip().isdigit()):
                raise serializers.ValidationError({name: ["Give a whole number from 1 to 5."]})
        return super().to_internal_value(data)


class VoteSerializer(serializers.ModelSerializer):
    harm = ScopedPK(selectors.harms_for)

    class Meta:
        model = Vote
        fields = ["id", "workshop", "harm", "created_at"]
        read_only_fields = ["id", "workshop", "created_at"]


class ConsequenceSerializer(serializers.ModelSerializer):
    workshop = ScopedPK(selectors.workshops_for)
    author = serializers.SerializerMethodField()

    class Meta:
        model = Consequence
        fields = [
            "id",
            "workshop",
            "text",
            "intent",
            "valence",
            "disposition",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "author", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("workshop", "text", "intent", "valence"):
                self.fields[name].read_only = True

    def get_author(self, obj) -> str | None:
        if obj.author is None or not selectors.author_visible(obj, _user(self)):
            return None
        return obj.author.username


class MitigationSerializer(serializers.ModelSerializer):
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["harm"].read_only = True


class LaunchGateSerializer(serializers.ModelSerializer):
    review = ScopedPK(lambda u: Review.objects.for_user(u))
    harm = ScopedPK(selectors.harms_for, required=False, allow_null=True)

    class Meta:
        model = LaunchGate
        fields = [
            "id",
            "review",
            "harm",
            "metric",
            "sensitive_feature",
            "comparator",
            "threshold",
            "action",
            "description",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
