from __future__ import annotations

from django.apps import AppConfig


class ReunificationConfig(AppConfig):
    name = "reunification"
    verbose_name = "Reunification assistance"

    def ready(self) -> None:
        from familysupport.lib import events, timeline

        from . import retention
        from .timeline import case_entries, family_entries

        timeline.register(case_entries)
        timeline.register_family(family_entries)
        events.case_purging.connect(retention.purge_for_case)
