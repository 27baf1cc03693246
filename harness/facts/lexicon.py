"""Small word lists that stand in for a parser: predicate classes, noun groups, stop words, a stemmer.

The checker must run without model downloads, so what a figure counts and what happened to it are read
from the words around it. These lists are deliberately short and news-oriented; a word missing here
still takes part in alignment through the plain context-word overlap.
"""

from __future__ import annotations

import functools

# Predicate classes: a summary's "died" must meet the article's "dead", "killed" and "death toll".
PREDICATES: dict[str, set[str]] = {
    "death": {"dead", "die", "died", "dies", "dying", "death", "deaths", "kill", "killed", "kills", "killing",
              "killings", "fatal", "fatalities", "fatality", "toll", "slain", "perished", "lives", "murder",
              "murdered", "massacred", "executed", "drowned", "bodies"},
    "injury": {"injured", "injuring", "injuries", "injury", "wounded", "wounding", "hurt", "casualties", "hospitalised",
               "hospitalized"},
    "trapped": {"trapped", "besieged", "stranded", "stuck", "encircled", "surrounded", "siege"},
    "displaced": {"fled", "flee", "fleeing", "displaced", "evacuated", "homeless", "refugees", "uprooted"},
    "arrest": {"arrested", "arrests", "detained", "held", "charged", "jailed", "imprisoned", "sentenced", "convicted"},
    "attack": {"bombing", "bombed", "bomb", "bombs", "bombings", "strike", "strikes", "airstrike", "airstrikes",
               "attack", "attacked", "attacks", "shelling", "shelled", "raid", "raids", "bombardment", "explosion"},
    "agreement": {"agreement", "agreed", "deal", "accord", "ceasefire", "cease", "truce", "reached", "signed", "pact"},
    "rescue": {"rescued", "saved", "freed", "released"},
    "missing": {"missing", "disappeared", "vanished", "abducted", "kidnapped"},
    "money": {"cost", "costs", "paid", "pay", "sold", "bought", "worth", "spend", "spent", "fined", "raised",
              "invested", "funding", "loan", "budget", "profit", "profits", "revenue", "revenues", "sales", "fee",
              "salary", "debt", "debts", "price", "valued", "deficit"},
    "rise": {"rose", "risen", "rise", "increase", "increased", "grew", "up", "jumped", "doubled", "climbed", "gain"},
    "fall": {"fell", "fallen", "fall", "decrease", "decreased", "dropped", "drop", "down", "declined", "cut", "cuts"},
    "win": {"won", "win", "wins", "winning", "winner", "winners", "beat", "beating", "victory", "victories", "defeated",
            "scored", "goals", "tries", "wickets"},
    "defeat": {"lost", "lose", "loses", "loss", "defeat", "defeats", "beaten", "losing"},
    "employment": {"jobs", "job", "employees", "staff", "workers", "redundancies", "layoffs"},
    "vote": {"voted", "votes", "vote", "voters", "elected", "ballot"},
}
PREDICATE_CLASS = {word: cls for cls, words in PREDICATES.items() for word in words}

# Who is counted. Within a group nouns are interchangeable; GENERIC nouns are compatible with any
# person noun ("275,000 people" is a fair reading of "275,000 civilians"), while two different
# specific person nouns are a conflict ("275,000 children").
NOUN_GROUPS: dict[str, set[str]] = {
    "civilian": {"civilian", "resident", "inhabitant", "citizen", "local"},
    "child": {"child", "kid", "youngster", "minor", "infant", "baby", "boy", "girl", "teenager", "teen", "pupil"},
    "soldier": {"soldier", "troop", "serviceman", "servicemen", "marine"},
    "fighter": {"fighter", "rebel", "militant", "insurgent", "jihadist", "gunman", "gunmen"},
    "man": {"man", "men", "male"},
    "woman": {"woman", "women", "female"},
    "refugee": {"refugee", "migrant", "asylum", "displaced"},
    "worker": {"worker", "employee", "staff", "job"},
    "police": {"officer", "policeman", "policemen", "police"},
    "patient": {"patient"},
    "student": {"student"},
    "victim": {"victim", "casualty"},
    "passenger": {"passenger"},
    "prisoner": {"prisoner", "inmate", "detainee"},
    "player": {"player"},
    "fan": {"fan", "supporter", "spectator"},
    "voter": {"voter"},
    # people counted by what befell them: "four arrests" are four people arrested, "12 deaths" 12 people dead
    "arrest": {"arrest", "arrestee", "detention"},
    "death": {"death", "fatality"},
    "injury": {"injury"},
    "deal": {"deal", "contract", "agreement"},
    "home": {"home", "house", "property", "dwelling"},
}
NOUN_GROUP = {word: group for group, words in NOUN_GROUPS.items() for word in words}
GENERIC_PERSON = {"person", "individual", "life", "other", "human", "adult", "member"}
PERSON_GROUPS = set(NOUN_GROUPS) - {"deal", "home"}

STOP = set(
    """a an the of in on at to for from by with without into onto over under about around after before since
    until during within between among against through across near and or but nor so yet if then than that this
    these those there here which who whom whose what when where while as is are was were be been being am has
    have had having do does did done will would shall should may might must can could not no also just only
    even still more most less least very much many some any each every all both either neither other another
    such own same it its it's he him his she her hers they them their theirs we us our you your i me my mine
    said says say told according including include includes up out off down again further once per via
    roughly approximately estimated nearly almost some about around
    mr mrs ms dr one first because although though however unless whether hundreds thousands
    millions billions dozens dozen tens scores""".split()
)
IRREGULAR = {"children": "child", "people": "person", "men": "man", "women": "woman", "lives": "life",
             "died": "die", "dead": "die", "death": "die", "deaths": "die", "mice": "mouse", "feet": "foot",
             "teeth": "tooth", "geese": "goose", "police": "police", "news": "news", "series": "series",
             "species": "species", "data": "data", "media": "media", "bus": "bus", "gas": "gas"}  # fmt: skip


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A light suffix-stripping stemmer: 'bombing', 'bombed', 'bombs' -> 'bomb'; 'children' -> 'child'."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word[:-2].endswith(("s", "x", "ch", "sh", "z")):
                continue
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            base = word[: len(word) - len(suffix)] + keep
            if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # trapped -> trap, bombing -> bomb
            return base
    return word


def predicate_class(word: str | None) -> str | None:
    """The class of a predicate word ('death' for killed/dead/died), or its stem when it has none."""
    return None if word is None else PREDICATE_CLASS.get(word.lower(), stem(word))


def noun_group(noun: str | None) -> str | None:
    """The group of a (stemmed) noun, the noun itself when it is in no group, or 'person' for generics."""
    if noun is None:
        return None
    if noun in GENERIC_PERSON or noun == "person":
        return "person"
    return NOUN_GROUP.get(noun, noun)


def noun_relation(a: str | None, b: str | None) -> str:
    """'same', 'compatible' (a generic person noun against a person noun), 'conflict' or 'unknown'."""
    if a is None or b is None:
        return "unknown"
    ga, gb = noun_group(a), noun_group(b)
    if ga == gb:
        return "same"
    if "person" in (ga, gb) and ({ga, gb} - {"person"}) <= PERSON_GROUPS:
        return "compatible"
    return "conflict"
