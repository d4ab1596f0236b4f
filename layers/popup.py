"""What an organisation's popup may link to.

Cleaned phones, e-mails, safe websites and information cards on chitalishta.com.

The popup itself is built in the browser (`civicmap.js`) with `textContent`; these helpers
decide, in Python, which values may become links at all: only http(s) websites, `tel:`
with digits and plain e-mail addresses, so `javascript:` or `data:` never reach an href.
"""

from __future__ import annotations

from urllib.parse import urlparse

SAFE_SCHEMES = {"http", "https"}
CARD_HOST = "chitalishta.com"  # where the register's information cards are


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, or None (javascript:, data: and the like are dropped)."""
    if not url:
        return None
    url = url.strip()
    if "://" not in url and "." in url and " " not in url and ":" not in url:
        url = "https://" + url
    parsed = urlparse(url)
    return url if parsed.scheme.lower() in SAFE_SCHEMES and parsed.netloc else None


def card_url(url: str | None) -> str | None:
    """A `safe_url` on chitalishta.com (or a subdomain), or None.

    A register's information card links nowhere else.
    """
    url = safe_url(url)
    host = (urlparse(url).hostname or "") if url else ""
    return url if host == CARD_HOST or host.endswith("." + CARD_HOST) else None


def clean_phones(text: str | None) -> list[str]:
    """Phone numbers as written ('03142/9118'), those with at least six digits."""
    out = []
    for number in (text or "").replace(",", ";").split(";"):
        digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        if len(digits) >= 6:
            out.append(number.strip())
    return out


def clean_emails(text: str | None) -> list[str]:
    """Plain e-mail addresses: one '@', no spaces, colons or angle brackets."""
    out = []
    for address in (text or "").replace(",", ";").split(";"):
        address = address.strip()
        if address.count("@") == 1 and not any(c in address for c in " :<>\"'`"):
            out.append(address)
    return out


def contact_links(phone: str | None, email: str | None, website: str | None) -> list[list[str]]:
    """[href, text] pairs for tel:, mailto: and website links.

    The text is not escaped: set it with textContent.
    """
    out = [[f"tel:{''.join(c for c in n if c.isdigit() or c == '+')}", n]
           for n in clean_phones(phone)]
    out += [[f"mailto:{a}", a] for a in clean_emails(email)]
    url = safe_url(website)
    if url:
        out.append([url, url.split("://", 1)[1].rstrip("/")])
    return out
