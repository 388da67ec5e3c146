"""Spoken place names to IANA time zones: a table of common cities plus zoneinfo's own keys."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from rapidfuzz import fuzz, process

CITY_ZONES: dict[str, str] = {
    "london": "Europe/London", "paris": "Europe/Paris", "berlin": "Europe/Berlin",
    "madrid": "Europe/Madrid", "barcelona": "Europe/Madrid", "rome": "Europe/Rome",
    "milan": "Europe/Rome", "amsterdam": "Europe/Amsterdam", "brussels": "Europe/Brussels",
    "vienna": "Europe/Vienna", "zurich": "Europe/Zurich", "geneva": "Europe/Zurich",
    "stockholm": "Europe/Stockholm", "oslo": "Europe/Oslo", "copenhagen": "Europe/Copenhagen",
    "helsinki": "Europe/Helsinki", "dublin": "Europe/Dublin", "lisbon": "Europe/Lisbon",
    "athens": "Europe/Athens", "istanbul": "Europe/Istanbul", "moscow": "Europe/Moscow",
    "warsaw": "Europe/Warsaw", "prague": "Europe/Prague", "budapest": "Europe/Budapest",
    "kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "bucharest": "Europe/Bucharest",
    "edinburgh": "Europe/London", "manchester": "Europe/London", "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "new york": "America/New_York", "new york city": "America/New_York",
    "nyc": "America/New_York", "boston": "America/New_York",
    "washington": "America/New_York", "washington dc": "America/New_York",
    "miami": "America/New_York", "atlanta": "America/New_York",
    "toronto": "America/Toronto", "montreal": "America/Toronto",
    "chicago": "America/Chicago", "houston": "America/Chicago", "dallas": "America/Chicago",
    "austin": "America/Chicago", "denver": "America/Denver", "phoenix": "America/Phoenix",
    "los angeles": "America/Los_Angeles", "la": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "vancouver": "America/Vancouver", "las vegas": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "portland": "America/Los_Angeles",
    "anchorage": "America/Anchorage", "honolulu": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu",
    "mexico city": "America/Mexico_City", "bogota": "America/Bogota", "lima": "America/Lima",
    "santiago": "America/Santiago", "buenos aires": "America/Argentina/Buenos_Aires",
    "sao paulo": "America/Sao_Paulo", "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo", "caracas": "America/Caracas", "havana": "America/Havana",
    "tokyo": "Asia/Tokyo", "osaka": "Asia/Tokyo", "kyoto": "Asia/Tokyo", "seoul": "Asia/Seoul",
    "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "hong kong": "Asia/Hong_Kong",
    "taipei": "Asia/Taipei", "singapore": "Asia/Singapore", "bangkok": "Asia/Bangkok",
    "hanoi": "Asia/Bangkok", "ho chi minh city": "Asia/Ho_Chi_Minh", "manila": "Asia/Manila",
    "jakarta": "Asia/Jakarta", "kuala lumpur": "Asia/Kuala_Lumpur", "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata", "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "chennai": "Asia/Kolkata",
    "kolkata": "Asia/Kolkata", "calcutta": "Asia/Kolkata", "karachi": "Asia/Karachi",
    "lahore": "Asia/Karachi", "dhaka": "Asia/Dhaka", "kathmandu": "Asia/Kathmandu",
    "dubai": "Asia/Dubai", "abu dhabi": "Asia/Dubai", "doha": "Asia/Qatar",
    "riyadh": "Asia/Riyadh", "tehran": "Asia/Tehran", "jerusalem": "Asia/Jerusalem",
    "tel aviv": "Asia/Jerusalem", "beirut": "Asia/Beirut", "baghdad": "Asia/Baghdad",
    "cairo": "Africa/Cairo", "lagos": "Africa/Lagos", "nairobi": "Africa/Nairobi",
    "johannesburg": "Africa/Johannesburg", "cape town": "Africa/Johannesburg",
    "casablanca": "Africa/Casablanca", "accra": "Africa/Accra", "addis ababa": "Africa/Addis_Ababa",
    "sydney": "Australia/Sydney", "melbourne": "Australia/Melbourne",
    "brisbane": "Australia/Brisbane", "perth": "Australia/Perth", "adelaide": "Australia/Adelaide",
    "auckland": "Pacific/Auckland", "wellington": "Pacific/Auckland", "fiji": "Pacific/Fiji",
    "reykjavik": "Atlantic/Reykjavik", "iceland": "Atlantic/Reykjavik",
    "japan": "Asia/Tokyo", "india": "Asia/Kolkata", "china": "Asia/Shanghai",
    "korea": "Asia/Seoul", "south korea": "Asia/Seoul", "germany": "Europe/Berlin",
    "france": "Europe/Paris", "spain": "Europe/Madrid", "italy": "Europe/Rome",
    "england": "Europe/London", "uk": "Europe/London", "ireland": "Europe/Dublin",
    "greece": "Europe/Athens", "egypt": "Africa/Cairo", "kenya": "Africa/Nairobi",
    "new zealand": "Pacific/Auckland", "brazil": "America/Sao_Paulo", "mexico": "America/Mexico_City",
    "utc": "UTC", "gmt": "Etc/GMT",
}


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every zoneinfo key by its spoken form ("kolkata", "europe berlin"), plus the city table."""
    names: dict[str, str] = {}
    for key in zoneinfo.available_timezones():
        if key.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        spoken = key.lower().replace("_", " ")
        names.setdefault(spoken.replace("/", " "), key)
        names.setdefault(spoken.rsplit("/", 1)[-1], key)
    names.update(CITY_ZONES)
    return names


def find_zone(place: str) -> tuple[str, str] | None:
    """(zone key, matched name) for a spoken place, tolerating small ASR slips; None if unknown."""
    place = place.strip().lower()
    for prefix in ("the city of ", "the ", "downtown "):
        if place.startswith(prefix):
            place = place[len(prefix):]
    if not place:
        return None
    names = _zone_names()
    if place in names:
        return names[place], place
    if len(place) < 4:
        return None
    # 80 lets one slipped letter through ("tokio"); shorter names must match exactly.
    best = process.extractOne(place, names.keys(), scorer=fuzz.ratio, score_cutoff=80)
    if best is None:
        return None
    return names[best[0]], best[0]
