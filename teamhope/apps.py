from django.apps import AppConfig


class TeamhopeConfig(AppConfig):
    name = "teamhope"
