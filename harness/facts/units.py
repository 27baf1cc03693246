"""The vocabulary around figures: months, weekdays, time units, currencies, measures, hedges, and the
words that make a number part of a name."""

from __future__ import annotations

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7}
DAYS_PER = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "fortnight": 14, "month": 30.44,
            "year": 365.25, "decade": 3652.5, "century": 36525}  # fmt: skip
CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
CURRENCY_WORDS = {"dollars": "USD", "dollar": "USD", "pounds": "GBP", "pound": "GBP", "sterling": "GBP",
                  "euros": "EUR", "euro": "EUR", "yen": "JPY", "yuan": "CNY", "rupees": "INR"}  # fmt: skip
MEASURES = {
    "m": "m", "metres": "m", "meters": "m", "metre": "m", "km": "km", "kilometres": "km", "kilometers": "km",
    "miles": "mi", "mile": "mi", "mph": "mph", "kph": "kph", "ft": "ft", "feet": "ft", "foot": "ft",
    "cm": "cm", "mm": "mm", "kg": "kg", "kilograms": "kg", "kilos": "kg", "g": "g", "grams": "g", "lb": "lb",
    "lbs": "lb", "pounds-weight": "lb", "tonnes": "t", "tons": "t", "tonne": "t", "acres": "acre",
    "hectares": "ha", "litres": "l", "liters": "l", "gallons": "gal", "mw": "MW", "gw": "GW", "kw": "kW",
    "degrees": "deg", "inches": "in", "yards": "yd", "yd": "yd", "sq": "sq", "gb": "GB", "mb": "MB",
}  # fmt: skip
# Hedge phrases (lower-case token sequences) and the interval they put around a figure N.
HEDGES: dict[tuple[str, ...], str] = {
    **{(w,): "about" for w in ("about", "around", "roughly", "approximately", "some", "circa", "estimated", "approx")},
    ("an", "estimated"): "about", ("an", "average", "of"): "about", ("close", "to"): "nearly",
    ("nearly",): "nearly", ("almost",): "nearly", ("just", "under"): "nearly", ("just", "below"): "nearly",
    ("more", "than"): "more than", ("over",): "more than", ("at", "least"): "more than",
    ("upwards", "of"): "more than", ("in", "excess", "of"): "more than", ("well", "over"): "more than",
    ("just", "over"): "more than", ("more", "then"): "more than", ("exceeding",): "more than",
    ("less", "than"): "up to", ("fewer", "than"): "up to", ("under",): "up to", ("below",): "up to",
    ("up", "to"): "up to", ("as", "many", "as"): "up to", ("as", "much", "as"): "up to",
    ("no", "more", "than"): "up to", ("at", "most"): "up to", ("a", "maximum", "of"): "up to",
}  # fmt: skip
# A number right after one of these is part of a name ("League Two", "Article 50", "Channel 4").
NAME_WORDS = {"league", "article", "section", "chapter", "route", "flight", "apollo", "windows", "iphone",
              "boeing", "airbus", "channel", "radio", "bbc", "itv", "formula", "war", "covid", "page", "version",
              "level", "grade", "platform", "gate", "terminal", "junction", "division", "tier", "category",
              "room", "no", "act", "model", "type", "series", "phase", "bus", "line", "top"}  # fmt: skip
TIME_PREPOSITIONS = {"in", "since", "by", "until", "till", "from", "to", "of", "between", "during", "before",
                     "after", "early", "late", "mid", "last", "next", "this", "throughout", "as", "end", "summer",
                     "spring", "autumn", "winter", "season", "year", "and", "or", "euro", "the", "for"}  # fmt: skip
# After "100m" these make it metres, not millions ("100m hurdles" but "3m people").
SPORT_WORDS = {"hurdles", "yards", "metres", "meters", "races", "events", "heats", "finals", "titles"}
