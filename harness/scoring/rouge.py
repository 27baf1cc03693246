"""ROUGE (Lin, 2004) through Google's rouge-score, with multiple references and bootstrap intervals.

rougeLsum needs one sentence per line: the summary and references are split with the harness's pysbd
splitter and joined with newlines before scoring (a plain summary string makes rougeLsum equal rougeL,
the mistake of scoring whole paragraphs as one sentence).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

import harness
from harness.config import RougeConfig
from harness.documents import Document
from harness.scoring.base import Scorer, Signature
from harness.scoring.rouge_engine import RougeEngine
from harness.stats import mean_ci
from harness.text import SPLITTER_NAME, split_sentences

PARTS = ("precision", "recall", "fmeasure")


@functools.lru_cache(maxsize=4096)
def sentence_lines(text: str) -> str:
    """Text with one sentence per line, as rougeLsum expects."""
    return "\n".join(split_sentences(text))


class RougeScorer(Scorer):
    """ROUGE-N/L/Lsum precision, recall and F1 against each reference, aggregated by max or mean."""

    name = "rouge"

    def __init__(self, options: RougeConfig | None = None, seed: int = 0) -> None:
        self.options = options or RougeConfig()
        self.seed = seed
        # rouge-score's scores bit for bit, ~10x faster (tests/test_rouge_engine.py, benchmarks/rouge_exact.py)
        self._scorer = RougeEngine(self.options.types, use_stemmer=self.options.stemmer)

    def signature(self) -> Signature:
        """rouge|v:...|types:...|stem:...|split:...|refs:...|boot:...|seed:...|ci:...|harness:..."""
        return Signature(
            "rouge",
            (
                ("v", f"rouge-score-{version('rouge-score')}"),
                ("types", ",".join(t.removeprefix("rouge") for t in self.options.types)),
                ("stem", "porter" if self.options.stemmer else "no"),
                ("tok", "rouge-score-default"),
                ("split", SPLITTER_NAME),
                ("refs", self.options.multi_reference),
                ("boot", str(self.options.bootstrap)),
                ("seed", str(self.seed)),
                ("ci", f"{self.options.confidence * 100:g}"),
                ("harness", harness.__version__),
            ),
        )

    def score_pair(self, summary: str, reference: str) -> dict[str, dict[str, float]]:
        """ROUGE of one summary against one reference: type -> {precision, recall, fmeasure}."""
        scores = self._scorer.score(sentence_lines(reference), sentence_lines(summary))
        return {name: dict(zip(PARTS, (s.precision, s.recall, s.fmeasure))) for name, s in scores.items()}

    def score(self, summary: str, document: Document) -> dict[str, Any]:
        """{"rouge": aggregated over references, "rouge_per_reference": {ref id: scores}}; None without references."""
        if not document.references:
            return {"rouge": None, "rouge_per_reference": {}}
        per_reference = {ref.id: self.score_pair(summary, ref.text) for ref in document.references}
        return {"rouge": self.combine(list(per_reference.values())), "rouge_per_reference": per_reference}

    def combine(self, per_reference: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
        """Several references -> one score per type: the best reference by F1 (as rouge-score's score_multi), or the mean."""
        combined = {}
        for rouge_type in self.options.types:
            candidates = [scores[rouge_type] for scores in per_reference]
            if self.options.multi_reference == "max":
                combined[rouge_type] = max(candidates, key=lambda s: s["fmeasure"])
            else:
                combined[rouge_type] = {part: sum(s[part] for s in candidates) / len(candidates) for part in PARTS}
        return combined

    def aggregate(self, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Per type and part: mean over documents with a bootstrap confidence interval."""
        scored = [row["rouge"] for row in rows if row.get("rouge")]
        result: dict[str, Any] = {"n": len(scored)}
        for rouge_type in self.options.types:
            result[rouge_type] = {
                part: mean_ci([s[rouge_type][part] for s in scored], self.options.bootstrap, self.options.confidence, self.seed)
                for part in PARTS
            }
        return result
