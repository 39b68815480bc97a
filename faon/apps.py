from django.apps import AppConfig


class FaonConfig(AppConfig):
    name = "faon"
