"""Spoken place names to IANA time zones: a table of common cities plus zoneinfo's own keys."""

from __future__ import annotations

import re
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
    # Zones by their spoken names and abbreviations.
    "eastern": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern standard": "America/New_York", "east coast": "America/New_York",
    "central": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "central standard": "America/Chicago",
    "mountain": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain standard": "America/Denver",
    "pacific": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific standard": "America/Los_Angeles", "west coast": "America/Los_Angeles",
    "bst": "Europe/London", "cet": "Europe/Paris", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney", "hst": "Pacific/Honolulu", "akst": "America/Anchorage",
    # US states by their main zone; countries people ask about.
    "alabama": "America/Chicago", "alaska": "America/Anchorage", "arizona": "America/Phoenix",
    "arkansas": "America/Chicago", "california": "America/Los_Angeles", "colorado": "America/Denver",
    "connecticut": "America/New_York", "delaware": "America/New_York", "florida": "America/New_York",
    "georgia": "America/New_York", "idaho": "America/Boise", "illinois": "America/Chicago",
    "indiana": "America/Indiana/Indianapolis", "iowa": "America/Chicago", "kansas": "America/Chicago",
    "kentucky": "America/New_York", "louisiana": "America/Chicago", "maine": "America/New_York",
    "maryland": "America/New_York", "massachusetts": "America/New_York", "michigan": "America/Detroit",
    "minnesota": "America/Chicago", "mississippi": "America/Chicago", "missouri": "America/Chicago",
    "montana": "America/Denver", "nebraska": "America/Chicago", "nevada": "America/Los_Angeles",
    "new hampshire": "America/New_York", "new jersey": "America/New_York", "new mexico": "America/Denver",
    "new york state": "America/New_York", "north carolina": "America/New_York",
    "north dakota": "America/Chicago", "ohio": "America/New_York", "oklahoma": "America/Chicago",
    "oregon": "America/Los_Angeles", "pennsylvania": "America/New_York", "rhode island": "America/New_York",
    "south carolina": "America/New_York", "south dakota": "America/Chicago", "tennessee": "America/Chicago",
    "texas": "America/Chicago", "utah": "America/Denver", "vermont": "America/New_York",
    "virginia": "America/New_York", "west virginia": "America/New_York", "wisconsin": "America/Chicago",
    "wyoming": "America/Denver", "orlando": "America/New_York", "philadelphia": "America/New_York",
    "detroit": "America/Detroit", "minneapolis": "America/Chicago", "new orleans": "America/Chicago",
    "salt lake city": "America/Denver", "sacramento": "America/Los_Angeles", "reno": "America/Los_Angeles",
    "miami beach": "America/New_York", "modesto": "America/Los_Angeles", "quito": "America/Guayaquil",
    "america": "America/New_York", "usa": "America/New_York",
    "united states": "America/New_York", "canada": "America/Toronto", "russia": "Europe/Moscow",
    "australia": "Australia/Sydney", "argentina": "America/Argentina/Buenos_Aires",
    "jamaica": "America/Jamaica", "portugal": "Europe/Lisbon", "netherlands": "Europe/Amsterdam",
    "belgium": "Europe/Brussels", "switzerland": "Europe/Zurich", "austria": "Europe/Vienna",
    "sweden": "Europe/Stockholm", "norway": "Europe/Oslo", "denmark": "Europe/Copenhagen",
    "finland": "Europe/Helsinki", "poland": "Europe/Warsaw", "turkey": "Europe/Istanbul",
    "israel": "Asia/Jerusalem", "saudi arabia": "Asia/Riyadh", "pakistan": "Asia/Karachi",
    "bangladesh": "Asia/Dhaka", "nepal": "Asia/Kathmandu", "thailand": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh", "saigon": "Asia/Ho_Chi_Minh", "philippines": "Asia/Manila",
    "indonesia": "Asia/Jakarta", "malaysia": "Asia/Kuala_Lumpur", "taiwan": "Asia/Taipei",
    "nigeria": "Africa/Lagos", "south africa": "Africa/Johannesburg", "morocco": "Africa/Casablanca",
    "ghana": "Africa/Accra", "ethiopia": "Africa/Addis_Ababa", "peru": "America/Lima",
    "colombia": "America/Bogota", "chile": "America/Santiago", "venezuela": "America/Caracas",
    "cuba": "America/Havana", "scotland": "Europe/London", "wales": "Europe/London",
    "britain": "Europe/London", "great britain": "Europe/London", "united kingdom": "Europe/London",
    "zimbabwe": "Africa/Harare", "europe": "Europe/Brussels", "hanoi city": "Asia/Bangkok",
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


NOT_PLACE = {"what", "the", "is", "it", "time", "timezone", "zone", "in", "of", "for", "at", "now", "right",
              "current", "currently", "today", "moment", "which", "a", "me", "tell", "please", "there",
              "here", "like", "do", "you", "know", "standard", "and", "between", "difference", "city",
              "day", "date", "clock", "hour", "hours", "set", "to", "my", "s", "local", "zones", "am",
              "pm", "from", "when", "if", "where", "how", "many", "ahead", "behind", "convert", "met", "wet",
              "us", "eet"}


def find_place(text: str) -> tuple[str, str] | None:
    """(zone key, name) of the first known place named anywhere in `text`, longest name first;
    falls back to fuzzy matching ("tokio") on the words after "in"."""
    named = places_in(text)
    if named:
        return named[0][2], named[0][3]
    m = re.search(r"\b(?:in|at|for) ((?:[a-z]+ ?){1,3})", text)
    if m:
        words = [w for w in m.group(1).split() if w not in NOT_PLACE]
        if words:
            return find_zone(" ".join(words))
    return None


def places_in(text: str) -> list[tuple[int, int, str, str]]:
    """Every place or zone named exactly, left to right, as (first token, token after it, zone,
    name): "9 am in new york in tokyo time" -> new york at 3-5, tokyo at 6-7."""
    tokens, names = text.split(), _zone_names()
    found: list[tuple[int, int, str, str]] = []
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2, 1):
            span = " ".join(tokens[i:i + n])
            if i + n <= len(tokens) and span in names and span not in NOT_PLACE:
                found.append((i, i + n, names[span], span))
                i += n
                break
        else:
            i += 1
    return found


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
