"""Notify stage: Alert + Destination in, a sent message out. One module per channel."""
