from django.apps import AppConfig


class TeamhopeConfig(AppConfig):
    name = "teamhope"
    verbose_name = "Team HOPE"

    def ready(self) -> None:
        from familysupport.lib import timeline

        from .timeline import case_entries

        timeline.register(case_entries)
