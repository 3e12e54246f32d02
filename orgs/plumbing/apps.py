from django.apps import AppConfig


class PlumbingConfig(AppConfig):
    """Request plumbing that knows no tenant: the errors services raise, the API's safe
    filters and idempotent writes (docs/development.md, "Architecture")."""

    name = "orgs.plumbing"
    label = "plumbing"
    verbose_name = "Request plumbing"
