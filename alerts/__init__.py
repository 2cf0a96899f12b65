"""missile-alerts: news feeds in, one alert per ballistic missile launch out.

    feed ─poll→ Item ─detect→ Verdict+Facts ─dedupe→ Alert ─route→ Delivery ─send→ channel

No re-exports: importing `alerts.models` must not load httpx or redis.
"""

__version__ = "0.1.0"
