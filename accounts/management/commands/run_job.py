"""Run a scheduled job now, in this process (the quick start runs no beat)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from familysupport.lib import jobs


class Command(BaseCommand):
    help = "Run a scheduled job by name now; without a name, list the jobs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", nargs="?", help="e.g. faon.license_renewal, or 'all'")

    def handle(self, *args, name: str | None = None, **options) -> None:
        registry = jobs.all_jobs()
        if not name:
            for job in registry.values():
                self.stdout.write(f"{job.name:32} {job.description}")
            return
        names = list(registry) if name == "all" else [name]
        for job_name in names:
            if job_name not in registry:
                raise CommandError(f"No job {job_name!r}; run without a name to list them.")
            sent = jobs.run(job_name)
            self.stdout.write(f"{job_name}: {sent} sent")
