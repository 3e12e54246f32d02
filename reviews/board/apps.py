from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "reviews.board"
    label = "board"
    verbose_name = "Live workshop board"
