"""Curated key entities in `facts.yaml`: an `entities:` list beside `facts:`, validated on load.

Each entry names an entity as a reader would ("Kerry", "the United Nations", "Russia"); it must be an
entity of the article (read and aligned like a summary's name), so a curated list cannot drift from
its article. The entry's id replaces the automatic one, so results refer to it. Format:

    entities:
      - id: kerry          # unique among the entities, stable: results refer to it
        name: John Kerry   # as the article or a reader writes it: "Kerry", "U.S.", "Syrian" work too
        key: true          # a good summary should name it
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.facts.entities import EntityIndex, read_names
from harness.facts.entity_check import SUPPORTED, resolve
from harness.facts.gold import CuratedError, check_fields

REQUIRED = ("id", "name")
ALLOWED = {*REQUIRED, "key", "note"}


def parse_gold_entities(raw: Any, index: EntityIndex, source: str = "facts.yaml") -> EntityIndex:
    """The index with the curated entities' ids and key flags; HarnessError naming the entry if one is wrong."""
    items = raw.get("entities") if isinstance(raw, dict) else None
    figures = _figure_ids(raw)
    if items is None:
        _check_figure_ids(figures, {e.id for e in index.entities}, source)
        return index
    if not isinstance(items, list):
        raise CuratedError(source, ("entities",), "", "field 'entities' must be a list")
    renamed: dict[str, tuple[str, bool]] = {}
    seen: set[str] = set()
    for position, item in enumerate(items):
        loc = ("entities", position)
        if not isinstance(item, dict):
            raise CuratedError(source, loc, f"entities[{position}]", "expected a mapping with 'id' and 'name'")
        check_fields(item, REQUIRED, ALLOWED, source, loc, f"entities[{position}]")
        entity_id, text = str(item["id"]), str(item["name"])
        label = f"entities[{position}] ('{entity_id}')"
        if entity_id in seen:
            raise CuratedError(source, (*loc, "id"), label, "id appears twice")
        if entity_id in figures:  # one id for two things: keys=[...], gates and baselines could not tell them apart
            raise CuratedError(source, (*loc, "id"), label, f"id is also the id of facts[{figures[entity_id][-1]}]; choose another")
        seen.add(entity_id)
        if not isinstance(item.get("key", False), bool):
            raise CuratedError(source, (*loc, "key"), label, "field 'key' must be true or false")
        names = read_names(text, index.names | {w.lower() for w in text.split()})
        if len(names) != 1:
            raise CuratedError(source, (*loc, "name"), label, f"field 'name' ({text!r}) is not read as one name")
        verdict, entity, _ = resolve(names[0], index)
        if verdict != SUPPORTED or entity is None:
            raise CuratedError(source, (*loc, "name"), label, f"field 'name' ({text!r}) is not an entity of the article")
        if entity.id in renamed:
            raise CuratedError(source, (*loc, "name"), label,
                               f"field 'name' ({text!r}) is the entity of '{renamed[entity.id][0]}' again")  # fmt: skip
        renamed[entity.id] = (entity_id, bool(item.get("key", False)))
    entities = tuple(replace(e, id=renamed[e.id][0], key=renamed[e.id][1], source="gold") if e.id in renamed else e
                     for e in index.entities)  # fmt: skip
    taken = {new for new, _ in renamed.values()}
    clash = next((e.id for e in index.entities if e.id not in renamed and e.id in taken), None)
    if clash:
        raise CuratedError(source, ("entities",), "entities", f"id '{clash}' is also an automatic entity id; choose another")
    _check_figure_ids(figures, {e.id for e in index.entities if e.id not in renamed}, source)
    ids = {old: new for old, (new, _) in renamed.items()}
    frames = tuple(replace(f, agent=ids.get(f.agent, f.agent), entities=frozenset(ids.get(e, e) for e in f.entities))
                   for f in index.frames)  # fmt: skip
    return EntityIndex(entities, frames, index.names, index.vocabulary, index.lower_case)


def _figure_ids(raw: Any) -> dict[str, tuple[str | int, ...]]:
    """The curated figures' ids, each with its entry's place in the file (parse_gold has checked the entries)."""
    items = raw.get("facts") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        return {}
    prefix: tuple[str, ...] = ("facts",) if isinstance(raw, dict) else ()
    return {str(item["id"]): (*prefix, index) for index, item in enumerate(items)
            if isinstance(item, dict) and item.get("id") is not None}  # fmt: skip


def _check_figure_ids(figures: dict[str, tuple[str | int, ...]], automatic: set[str], source: str) -> None:
    """Refuse a curated figure whose id is also an automatic entity's id ("e01"): results could not tell them apart."""
    for fact_id, loc in figures.items():
        if fact_id in automatic:
            raise CuratedError(source, (*loc, "id"), f"facts[{loc[-1]}] ('{fact_id}')", "id is also an automatic entity id; choose another")
