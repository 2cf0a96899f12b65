"""Celery processes: the app, thin tasks, beat schedule, embedded Redis and the `alerts` CLI."""
