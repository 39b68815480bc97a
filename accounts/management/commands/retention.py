"""The retention schedule from the command line: a dry run by default, `--purge` to sweep."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from familysupport.lib import jobs, retention


class Command(BaseCommand):
    help = (
        "List what the retention schedule would purge now (a dry run: nothing is deleted); "
        "with --purge, run the sweep now (recorded like any job run)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--purge", action="store_true", help="delete what is due now")
        parser.add_argument("--sample", type=int, default=10, help="records listed per rule")

    def handle(self, *args, purge: bool = False, sample: int = 10, **options) -> None:
        if purge:
            purged = jobs.run("accounts.retention")
            self.stdout.write(f"accounts.retention: {purged} purged")
            return
        result = retention.dry_run(sample=sample)
        self.stdout.write(
            f"Dry run at {timezone.localtime(result.at):%Y-%m-%d %H:%M}: nothing deleted."
        )
        for rule in retention.all_rules():
            due = result.due[rule.key]
            held = f", {due.held} kept by a legal hold" if rule.holds_apply else ""
            who = "" if rule.purge else f" ({rule.purged_by})"
            self.stdout.write(f"\n{rule.key}: keep {rule.keep()}; {due.count} due{held}{who}")
            for item in due.items:
                on = f" {item.date:%Y-%m-%d}" if item.date else ""
                self.stdout.write(
                    f"  {item.record_type} #{item.record_id}{on} {item.note}".rstrip()
                )
