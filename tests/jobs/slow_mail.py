"""An e-mail backend for the crash test: blocks while a file exists, then writes to files."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class BlockingFileBackend(EmailBackend):
    def send_messages(self, messages):
        block = Path(os.environ["FSP_JOBS_BLOCK_FILE"])
        if block.exists():
            Path(os.environ["FSP_JOBS_STARTED_FILE"]).touch()  # "I am inside the send"
            deadline = time.monotonic() + 120
            while block.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return super().send_messages(messages)
