from django.apps import AppConfig


class FeedbackPagesConfig(AppConfig):
    """The pages of community feedback: the public portal (no account) and the team's
    triage pages. The domain, its API and its tasks are the ``feedback`` app below."""

    name = "reviews.feedback.pages"
    label = "feedback_pages"
    verbose_name = "Community feedback pages"
