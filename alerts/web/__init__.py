"""The web adapter: dashboard, JSON API and probes over a Runtime (`alerts web`).

Reads Redis through the same adapters the workers use; never imports workers/ or Celery (the
Celery enqueue is handed in by the caller).
"""

from alerts.web.app import create_app

__all__ = ["create_app"]
