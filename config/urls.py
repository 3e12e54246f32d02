from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from audits import api as audits_api
from audits.dossiers import api as dossiers_api
from audits.incidents import api as incidents_api
from audits.monitoring import api as monitoring_api
from config.converters import IdConverter
from config.health import healthz
from config.landing import guest_landing
from orgs import api as orgs_api
from orgs.members import api as members_api
from reviews import api as reviews_api
from reviews.compliance import api as compliance_api
from reviews.controls import api as controls_api
from reviews.feedback import api as feedback_api
from reviews.frameworks import api as frameworks_api
from reviews.harms import api as harms_api
from reviews.modelcards import api as modelcards_api
from reviews.workshops import api as workshops_api

register_converter(IdConverter, "id")

router = DefaultRouter()
router.register("organizations", orgs_api.OrganizationViewSet, basename="organization")
router.register("memberships", members_api.MembershipViewSet, basename="membership")
router.register(
    "member-invitations", members_api.MemberInvitationViewSet, basename="member-invitation"
)
router.register("events", orgs_api.EventViewSet, basename="event")
router.register(
    "event-verifications", orgs_api.ChainVerificationViewSet, basename="event-verification"
)
router.register("systems", reviews_api.AISystemViewSet, basename="system")
router.register("reviews", reviews_api.ReviewViewSet, basename="review")
router.register("signoffs", reviews_api.SignOffViewSet, basename="signoff")
router.register("risk-acceptances", reviews_api.RiskAcceptanceViewSet, basename="risk-acceptance")
router.register("harm-categories", harms_api.HarmCategoryViewSet, basename="harm-category")
router.register("stakeholders", harms_api.StakeholderViewSet, basename="stakeholder")
router.register("harms", harms_api.HarmViewSet, basename="harm")
router.register("ratings", harms_api.RatingViewSet, basename="rating")
router.register("votes", harms_api.VoteViewSet, basename="vote")
router.register("mitigations", harms_api.MitigationViewSet, basename="mitigation")
router.register("workshops", workshops_api.WorkshopViewSet, basename="workshop")
router.register("invitations", workshops_api.InvitationViewSet, basename="invitation")
router.register("consequences", workshops_api.ConsequenceViewSet, basename="consequence")
router.register("feedback-channels", feedback_api.ChannelViewSet, basename="feedback-channel")
router.register(
    "feedback-submissions", feedback_api.SubmissionViewSet, basename="feedback-submission"
)
router.register("feedback-themes", feedback_api.ThemeViewSet, basename="feedback-theme")
router.register("feedback-replies", feedback_api.ReplyViewSet, basename="feedback-reply")
router.register("launch-gates", audits_api.LaunchGateViewSet, basename="launch-gate")
router.register("datasets", audits_api.DatasetViewSet, basename="dataset")
router.register("audit-runs", audits_api.AuditRunViewSet, basename="audit-run")
router.register("model-cards", modelcards_api.ModelCardViewSet, basename="model-card")
router.register(
    "model-card-versions", modelcards_api.ModelCardVersionViewSet, basename="model-card-version"
)
router.register("frameworks", frameworks_api.FrameworkViewSet, basename="framework")
router.register("requirements", frameworks_api.RequirementViewSet, basename="requirement")
router.register("crosswalk", frameworks_api.CrosswalkEdgeViewSet, basename="crosswalk-edge")
router.register("checklists", compliance_api.ChecklistViewSet, basename="checklist")
router.register("assessments", compliance_api.AssessmentViewSet, basename="assessment")
router.register("evidence", compliance_api.EvidenceViewSet, basename="evidence")
router.register("controls", controls_api.ControlViewSet, basename="control")
router.register(
    "control-evidence", controls_api.ControlEvidenceViewSet, basename="control-evidence"
)
router.register("dossiers", dossiers_api.DossierViewSet, basename="dossier")
router.register("monitors", monitoring_api.MonitorViewSet, basename="monitor")
router.register("incidents", incidents_api.IncidentViewSet, basename="incident")
router.register("webhooks", incidents_api.WebhookViewSet, basename="webhook")

# Routes anyone may call without logging in; every other /api/ route needs a login
# (tests/test_api_permissions.py walks the URL conf to prove it).
PUBLIC_API_ROUTES = {"api-token", "api-schema", "api-docs"}
# Reference data shared by every organization (the harm taxonomy): login needed, no scoping.
SHARED_API_ROUTES = {
    "harm-category-list",
    "harm-category-detail",
    # Framework libraries and the crosswalk (reviews/frameworks).
    "framework-list",
    "framework-detail",
    "requirement-list",
    "requirement-detail",
    "crosswalk-edge-list",
    "crosswalk-edge-detail",
}
# Routes any logged-in person may call with a credential of their own (an invitation
# token), whatever their role: the service checks the token.
SELF_SERVICE_API_ROUTES = {"member-invitation-accept"}

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The public feedback pages first: the one part of the site anyone may post to, at
    # volume (URLs are matched in order).
    path("f/", include("reviews.feedback.pages.public_urls")),
    # Browsers ask for /favicon.ico whatever the page links; send them to the SVG (looked
    # up per request: with manifest storage its name carries a content hash).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    path("my-workshops/", guest_landing, name="guest_landing"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", orgs_api.TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
    path("", include("orgs.urls")),
    path("", include("orgs.members.urls")),
    path("", include("reviews.urls")),
    path("", include("reviews.harms.urls")),
    path("", include("reviews.workshops.urls")),
    path("", include("reviews.feedback.pages.urls")),
    path("", include("reviews.board.urls")),
    path("", include("audits.urls")),
    path("", include("reviews.modelcards.urls")),
    path("", include("reviews.frameworks.urls")),
    path("", include("reviews.controls.urls")),
    path("", include("reviews.compliance.urls")),
    path("", include("audits.dossiers.urls")),
    path("", include("audits.monitoring.urls")),
    path("", include("audits.incidents.urls")),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
