from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "audits.signatures"
    label = "signatures"
    verbose_name = "PDF signatures (PAdES) and their verification"
