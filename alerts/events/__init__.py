"""Events stage: launch Verdicts in, Alerts (new/update) out; store.py holds the Redis side."""
