"""Canonical URLs and item identity: the two facts dedupe depends on. Pure.

`canonical_url` makes two spellings of one article compare equal (case of scheme and host,
default port, fragment, tracking parameters) without touching anything a server could read
differently: path case, parameter order and percent-encoding are kept as they are.

`item_identity` gives a feed entry an id that is stable across polls: the publisher's GUID,
else the canonical link, else a hash of what the entry says.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

# Click and campaign identifiers added by newsletters, ad networks and social sites. They name
# the reader's path to the article, not the article.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "xtor",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "__hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE_RE = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """The spelling of `url` used for identity and display.

    Lowercases scheme and host, drops the default port, the fragment and tracking parameters
    (utm_*, fbclid, gclid, mc_cid, ...), and gives an empty http(s) path "/". Other query
    parameters keep their order and encoding. Text that is not a URL comes back stripped.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    netloc = _canonical_netloc(parts.netloc, scheme, port)
    path = parts.path
    if not path and scheme in _DEFAULT_PORTS:
        path = "/"
    return urlunsplit((scheme, netloc, path, _strip_tracking(parts.query), ""))


def _canonical_netloc(netloc: str, scheme: str, port: int | None) -> str:
    userinfo, _, hostport = netloc.rpartition("@")
    host = hostport.lower()
    if port is not None:
        host = host.rsplit(":", 1)[0]
        if port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
    host = host.rstrip(".") if not host.endswith("]") else host
    return f"{userinfo}@{host}" if userinfo else host


def _strip_tracking(query: str) -> str:
    if not query:
        return ""
    kept = [pair for pair in query.split("&") if pair and not _is_tracking(pair)]
    return "&".join(kept)


def _is_tracking(pair: str) -> bool:
    name = pair.split("=", 1)[0].lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def content_hash(title: str, content: str) -> str:
    """A short, stable digest of what an entry says (whitespace-insensitive)."""
    text = f"{_SPACE_RE.sub(' ', title).strip()}\n{_SPACE_RE.sub(' ', content).strip()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def item_identity(guid: str | None, url: str | None, title: str, content: str) -> str:
    """A feed entry's stable id: its GUID, else its canonical URL, else a content hash.

    GUIDs are opaque (RSS 2.0), so they are only stripped, never canonicalised. The hash form
    is `sha256:<32 hex>` over the whitespace-collapsed title and content.
    """
    if guid and guid.strip():
        return guid.strip()
    if url and url.strip():
        return canonical_url(url)
    return f"sha256:{content_hash(title, content)}"
