from django.apps import AppConfig


class ReunificationConfig(AppConfig):
    name = "reunification"
