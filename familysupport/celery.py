"""The Celery app. Redis is only the broker; every job derives its work from PostgreSQL."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familysupport.settings.local")

app = Celery("familysupport", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
