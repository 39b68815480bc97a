from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from familysupport.lib import timeline

        from . import timeline as case_timeline

        timeline.register(case_timeline.contact_entries)
        timeline.register(case_timeline.share_entries)
