from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "orgs.ledger"
    label = "ledger"
    verbose_name = "Event ledger"
