"""The Celery app. Redis is only the broker; every job derives its work from PostgreSQL.

Start one worker pool and exactly ONE beat (README, "Background jobs"):

    celery -A familysupport worker -l info --concurrency 2
    celery -A familysupport beat -l info --schedule <writable path>/celerybeat-schedule

Beat drops ticks while Redis is down and never replays them, so each scheduled task is a
sweeper that works out from the database what is due (familysupport/lib/jobs.py): the
next tick catches up. Run any job by hand with `manage.py run_job <name>`.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familysupport.settings.local")

app = Celery("familysupport", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # each app's <app>/tasks.py: its sweepers and their Celery tasks

# Publishing from a web request must fail fast when Redis refuses connections: kombu
# otherwise sleeps `interval_start` (2 s) before its one reconnection attempt, which
# measured 2.0 s per notification with the broker down. Merged over the settings' options.
FAST_FAIL_TRANSPORT_OPTIONS = {"interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


@app.on_after_configure.connect
def _fail_fast_publishing(sender: Celery, **kwargs) -> None:
    options = dict(sender.conf.broker_transport_options or {})
    for name, value in FAST_FAIL_TRANSPORT_OPTIONS.items():
        options.setdefault(name, value)
    sender.conf.broker_transport_options = options


# The ONE beat schedule. Times are wall-clock times in the division's time zone
# (CELERY_TIMEZONE = TIME_ZONE = America/New_York); crontab follows daylight saving time.
app.conf.beat_schedule = {
    # Every minute: deliver outbox e-mails that are pending and due (a lost enqueue, a Redis
    # restart that dropped queued messages, SMTP retries with backoff).
    "outbox-sweep": {
        "task": "familysupport.lib.tasks.sweep_outbox",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Daily 06:10: license reminders 60/30/7 days before expiry, on expiry (provider no
    # longer offered for referrals; supervisors told), escalation after two ignored.
    "faon-license-renewal": {
        "task": "faon.tasks.license_renewal_task",
        "schedule": crontab(hour=6, minute=10),
    },
    # Daily 06:20: insurance reminders, same rhythm as licenses.
    "faon-insurance-renewal": {
        "task": "faon.tasks.insurance_renewal_task",
        "schedule": crontab(hour=6, minute=20),
    },
    # Daily 06:30: training/compliance reminders to members not yet compliant, sent once
    # each from 1 July, 1 October and 1 December (6/3/1 months before the year ends).
    "faon-training-reminders": {
        "task": "faon.tasks.training_reminders_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # Daily 06:40: ask members to confirm their contact details 11 months after the last
    # confirmation.
    "faon-contact-details": {
        "task": "faon.tasks.contact_details_task",
        "schedule": crontab(hour=6, minute=40),
    },
    # Daily 00:30: freeze last year's compliance result per member (acts in January, when a
    # member has no snapshot for the year that just ended; a no-op otherwise).
    "faon-compliance-snapshot": {
        "task": "faon.tasks.compliance_snapshot_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # Daily 01:00 (after the snapshot): certificates for last year to compliant members.
    "faon-certificates": {
        "task": "faon.tasks.certificates_task",
        "schedule": crontab(hour=1, minute=0),
    },
    # Every hour at :15: referrals unanswered 3 business days → reminder to the provider;
    # 7 business days → expired and handed back to the advocate.
    "referrals-response": {
        "task": "referrals.tasks.referral_response_task",
        "schedule": crontab(minute=15),
    },
    # Hourly 07:00-18:00: each advocate's digest of follow-up tasks due today or overdue;
    # the first run of the day sends it, the later ones catch a dropped 07:00 tick.
    "cases-followup-digest": {
        "task": "cases.tasks.followup_digest_task",
        "schedule": crontab(hour="7-18", minute=0),
    },
    # Daily 02:40: delete contact drafts untouched for 14 days and deactivated users' drafts.
    "cases-drafts-purge": {
        "task": "cases.tasks.drafts_purge_task",
        "schedule": crontab(hour=2, minute=40),
    },
    # Every minute: calls nobody started within PHONE_MISSED_AFTER_MINUTES become a task for
    # the family's advocate, or a notice to supervisors (cases/phone_services.py).
    "cases-phone-missed-calls": {
        "task": "cases.tasks.phone_missed_calls_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Daily 03:10 (after the drafts purge): the retention sweep — closed cases past their
    # period, travel documents, files of members who left, outbox, job runs, sessions; never
    # what a legal hold keeps (accounts/tasks.py, familysupport/lib/retention.py).
    "accounts-retention": {
        "task": "accounts.tasks.retention_task",
        "schedule": crontab(hour=3, minute=10),
    },
}
