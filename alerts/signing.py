"""Standard Webhooks signing keys: `whsec_` + base64 of the key bytes.

One reading of a key for the start-up check (alerts.config) and the sender (notify.webhook).
"""

from __future__ import annotations

import base64
import binascii

SECRET_PREFIX = "whsec_"


def signing_key_bytes(secret: str) -> bytes:
    """The key bytes of a `whsec_<base64>` secret (padding optional); b"" when malformed."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""
