from django.apps import AppConfig


class ModelCardDocumentsConfig(AppConfig):
    """Model card documents as plain data: the sections, the analysis from an audit result,
    the formats (Hugging Face, Model Card Toolkit, Markdown) and the diff. Pure Python, no
    models: a library the modelcards app stores and serves."""

    name = "reviews.modelcards.documents"
    label = "modelcard_documents"
    verbose_name = "Model card documents"
