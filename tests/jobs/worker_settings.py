"""Settings for the worker PROCESS the crash test starts and kills (tests/jobs/test_celery.py).

The test database, an isolated key prefix on the real Redis broker, a short visibility
timeout so an unacknowledged task is redelivered within seconds, and an SMTP stand-in
that blocks while a file exists (so the test can kill the worker mid-send).
"""

from __future__ import annotations

import os

from familysupport.settings.test import *  # noqa: F403
from familysupport.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES

DATABASES["default"]["NAME"] = os.environ["FSP_JOBS_WORKER_DB"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": os.environ["FSP_JOBS_KEYPREFIX"],
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
EMAIL_BACKEND = "tests.jobs.slow_mail.BlockingFileBackend"
EMAIL_FILE_PATH = os.environ["FSP_JOBS_MAIL_DIR"]
