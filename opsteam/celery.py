"""The Celery app. Eager (in-process) unless OPSTEAM_BROKER_URL points at a broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsteam.settings")

app = Celery("opsteam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
