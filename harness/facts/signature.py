"""The checker's signature (sacrebleu-style), recorded in results so that scores name their checker."""

from __future__ import annotations

import importlib.metadata

from harness.facts.entities import ENTITY_RULES
from harness.facts.normalize import NAME as NORMALIZE_NAME
from harness.text import SPLITTER_NAME

# Bump when extraction or alignment rules change what a checker run reports.
RULES_VERSION = "12"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def signature() -> str:
    """'facts|extractor:rules-12|entities:rules-18|normalize:corpus-artefacts-2|numbers:text2num-3.1.0|splitter:harness-rules-1|version:0.1.0'."""
    return (f"facts|extractor:rules-{RULES_VERSION}|entities:rules-{ENTITY_RULES}|normalize:{NORMALIZE_NAME}"
            f"|numbers:text2num-{_version('text2num')}|splitter:{SPLITTER_NAME}"
            f"|version:{_version('summarization-harness')}")  # fmt: skip


SIGNATURE = signature()
