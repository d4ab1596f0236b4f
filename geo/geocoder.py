"""The geocoder chain: cache, then gazetteer (settlement precision), then optional Nominatim.

Nominatim is off unless configured; it runs at most once per second with a short timeout
and a configured user agent, and its answer is kept only when it falls inside the
settlement the gazetteer found. Any failure falls back to the gazetteer answer.

The network part is separate: `StreetLookup` takes the provider's geocode function and a
`Throttle` with its own clock, so tests replace both with fakes and never wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from shapely.geometry import Point

from civic import settings
from geo.address import parse
from geo.gazetteer import Candidate, Gazetteer, Match

log = logging.getLogger(__name__)
NOMINATIM_TIMEOUT_S = 1.5
RETRY_FAILED_S = 3600.0  # a street that Nominatim could not place is not asked again sooner


class Cache(Protocol):
    """Where answers are kept between runs (the store's geocode cache)."""

    def get(self, query: str) -> dict | None:
        """The kept answer for a query, or None."""

    def put(self, query: str, result: dict) -> None:
        """Keep an answer."""


class Throttle:
    """At most one call per `interval` seconds; the clock and the sleep are injectable."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        """Throttle with `interval` seconds between calls; tests inject a fake clock and sleep."""
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        """Sleep until `interval` seconds have passed since the previous call."""
        if self.last is not None:
            left = self.interval - (self.clock() - self.last)
            if left > 0:
                self.sleep(left)
        self.last = self.clock()


@dataclass(frozen=True)
class NominatimConfig:
    """Where and how to ask Nominatim."""

    domain: str
    user_agent: str
    scheme: str = "https"
    timeout: float = NOMINATIM_TIMEOUT_S
    min_delay_seconds: float = 1.0

    @classmethod
    def from_env(cls) -> NominatimConfig | None:
        """The config from the environment, or None when Nominatim is not configured.

        `CIVICMAP_NOMINATIM_URL` (e.g. https://nominatim.openstreetmap.org) turns it on;
        `CIVICMAP_NOMINATIM_USER_AGENT` is required with it.
        """
        found = settings.nominatim()
        if found is None:
            return None
        url, agent = found
        scheme, _, domain = url.partition("://")
        return cls(domain=domain.rstrip("/"), user_agent=agent, scheme=scheme or "https")


def nominatim_client(config: NominatimConfig) -> Any:
    """The geopy Nominatim client for the config: its timeout, no transport retries."""
    from functools import partial

    from geopy.adapters import RequestsAdapter
    from geopy.geocoders import Nominatim

    # No transport retries: one try within the timeout, then the gazetteer answer stands.
    adapter = partial(RequestsAdapter, max_retries=0)
    return Nominatim(user_agent=config.user_agent, domain=config.domain,
                     scheme=config.scheme, timeout=config.timeout, adapter_factory=adapter)


class StreetLookup:
    """Street-level look-ups through a provider's geocode function, rate-limited."""

    def __init__(self, config: NominatimConfig, geocode: Callable[..., Any] | None = None,
                 throttle: Throttle | None = None):
        """Use `geocode` if given (tests), else geopy's Nominatim for `config`."""
        self._geocode = geocode or nominatim_client(config).geocode
        self.throttle = throttle or Throttle(config.min_delay_seconds)

    def lookup(self, street: str, settlement: str, municipality: str) -> tuple[float, float] | None:
        """(lon, lat) of a street in a settlement, or None; provider errors propagate."""
        query = {"street": street, "city": settlement, "county": municipality,
                 "country": "Bulgaria"}
        self.throttle.wait()
        found = self._geocode(query, exactly_one=True, country_codes="bg")
        return (found.longitude, found.latitude) if found else None


def _candidate_json(c: Candidate) -> dict:
    return {"ekatte": c.ekatte, "name": c.name, "municipality": c.municipality,
            "province": c.province, "name_tr": c.name_tr or None}


def result_json(query: str, match: Match | None) -> dict:
    """The JSON object the CLI prints for one query.

    An answer that is not confident places nothing: its `candidates` and `note` say which
    settlements the query may mean and why it could not choose.
    """
    empty = {"query": query, "ekatte": None, "name": None, "municipality": None,
             "province": None, "lon": None, "lat": None, "precision": None, "score": 0,
             "candidates": [], "note": None, "name_tr": None}
    if match is None:
        return empty
    if not match.confident:
        return {**empty, "score": match.score, "note": match.note or None,
                "candidates": [_candidate_json(c) for c in match.candidates]}
    return {**empty, "ekatte": match.ekatte, "name": match.name,
            "municipality": match.municipality, "province": match.province,
            "lon": match.lon, "lat": match.lat, "precision": match.precision,
            "score": match.score, "name_tr": match.name_tr or None}


class Geocoder:
    """Cache → gazetteer → Nominatim; never raises to the caller."""

    def __init__(self, gazetteer: Gazetteer, grounds: dict | None = None,
                 cache: Cache | None = None, street: StreetLookup | None = None,
                 clock: Callable[[], float] = time.monotonic):
        """The chain's parts; without `cache` or `street` those steps are skipped."""
        self.gazetteer = gazetteer
        self.clock = clock
        self._failed: dict[str, float] = {}  # query key → when Nominatim last failed it
        self.grounds = grounds  # ekatte → ground polygon, to check street answers
        self.cache = cache
        self.street = street

    def geocode(self, query: str) -> dict:
        """The answer for one query as `result_json` shapes it."""
        key = " ".join(query.split()).lower()
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return {**cached, "query": query}
        parsed = parse(query)
        match = self.gazetteer.match(parsed)
        result = result_json(query, match)
        if match and match.confident and match.ekatte and parsed.street \
                and self.street is not None \
                and self.clock() - self._failed.get(key, -RETRY_FAILED_S) >= RETRY_FAILED_S:
            result = self._refine(result, parsed.street, match)
            if result["precision"] != "street":
                if len(self._failed) > 10_000:  # bounded memory
                    self._failed.clear()
                self._failed[key] = self.clock()
        if self.cache is not None and (match is None or result["precision"] == "street"):
            self.cache.put(key, result)  # settlement answers are cheaper to recompute
        return result

    def _refine(self, result: dict, street: str, match: Match) -> dict:
        """The street's point when Nominatim finds it inside the settlement's land."""
        try:
            point = self.street.lookup(street, match.name, match.municipality)
        except Exception as exc:  # network down, timeout, bad answer: keep the settlement
            log.info("Nominatim failed for %r: %s", result["query"], exc)
            return result
        if point is None:
            return result
        ground = self.grounds.get(match.ekatte) if self.grounds is not None else None
        if ground is None or not ground.covers(Point(point)):
            log.info("Nominatim answer %s lies outside %s; kept the settlement", point, match.name)
            return result
        return {**result, "lon": point[0], "lat": point[1], "precision": "street",
                "score": min(100, match.score)}


def from_tables(settlements, municipalities, provinces, cache: Cache | None = None) -> Geocoder:
    """The chain over the built tables: gazetteer, the cache, and Nominatim if configured."""
    gazetteer = Gazetteer(settlements, municipalities, provinces)
    config = NominatimConfig.from_env()
    street = StreetLookup(config) if config else None
    grounds = dict(zip(settlements["ekatte"], settlements["ground"])) if street else None
    return Geocoder(gazetteer, grounds=grounds, cache=cache, street=street)
