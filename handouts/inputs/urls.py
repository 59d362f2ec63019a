"""Which web addresses may become links in a handout."""

_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def safe_url(url: str) -> str | None:
    """Only http, https, mailto and tel become links; anything else stays plain text."""
    url = url.strip()
    return url if url.lower().startswith(_SAFE_SCHEMES) and len(url) <= 2000 else None
