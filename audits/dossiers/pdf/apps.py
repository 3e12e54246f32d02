from django.apps import AppConfig


class DossierPdfConfig(AppConfig):
    """A dossier's PDF side: HTML to PDF/A-3b with dossier.json attached, the fetcher that
    loads only the app's own files, the signature, and the child process that runs them.
    No models and no Django in the package itself (this file aside), so a freshly spawned
    process imports it without setting Django up."""

    name = "audits.dossiers.pdf"
    label = "dossier_pdf"
    verbose_name = "Dossier PDF rendering and signing"
