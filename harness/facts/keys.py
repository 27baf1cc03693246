"""Key facts from reference summaries: the article's facts (figures and entities) that the references state.

Without a curated facts.yaml, "the counted figures of the lead" says little on abstractive data (on
XSum every system, the human reference included, keeps a few percent of them). Where a document has
reference summaries, what people chose to state is a better measure of what matters: each figure a
reference states (a supported claim aligned to an article fact) and each entity it names is key.
`table_for_document` builds a document's table: curated (facts.yaml), from its references, or the lead rule.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.documents import FACTS_FILE, Document, yaml_line
from harness.facts.check import SUPPORTED, check_summary
from harness.facts.entities import EntityIndex
from harness.facts.gold import CuratedError
from harness.facts.table import FactTable, extract_facts

KEY_RULES = {
    "gold": "curated in facts.yaml",
    "references": "the article's figures and entities that the reference summaries state",
    "lead": "counted figures of the article's first five sentences",
}


def reference_keys(table: FactTable, references: list[str]) -> FactTable:
    """The table with its key facts and key entities taken from what the references state."""
    figures: set[str] = set()
    entities: set[str] = set()
    for text in references:
        result = check_summary(text, table)
        figures |= {c.fact.id for c in result.claims if c.verdict == SUPPORTED and c.fact is not None}
        entities |= {c.entity.id for c in result.entity_claims if c.verdict == SUPPORTED and c.entity is not None}
    facts = tuple(replace(f, key=f.id in figures) for f in table.facts)
    index = table.entities
    if index is not None:
        index = EntityIndex(tuple(replace(e, key=e.id in entities) for e in index.entities), index.frames, index.names,
                            index.vocabulary, index.lower_case)  # fmt: skip
    return replace(table, facts=facts, entities=index, key_rule="references")


def table_for_document(document: Document, gold: bool = True) -> FactTable:
    """The fact table of a document: extracted from its article, overlaid with its curated facts unless gold is False."""
    if document.facts is None or not gold:
        table = extract_facts(document.article)
        if not document.references:
            return table
        return reference_keys(table, [reference.text for reference in document.references])
    folder = Path(document.source) if document.source else None
    path = folder / FACTS_FILE if folder and folder.is_dir() else None
    source = str(path) if path else f"{document.source or document.doc_id}: facts"
    try:
        return extract_facts(document.article, document.facts, source)
    except CuratedError as error:
        line = yaml_line(path, error.loc) if path else None
        cut = document.meta.get("truncated")
        if cut:  # the curated entry may well be right: it is the article that was shortened
            error = CuratedError(error.source, error.loc, error.label, f"{error.problem} (the article was cut from "
                                 f"{cut['chars']:,} to {cut['kept']:,} characters by dataset.max_article_chars: raise "
                                 "the limit to check its curated facts)")  # fmt: skip
        raise (error.at_line(line) if line else error) from None
