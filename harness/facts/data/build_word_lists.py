"""Rebuild the two word lists beside this file from two public cased vocabularies.

A subword vocabulary learnt from a large cased corpus keeps a word as one token in the forms the corpus
writes it often. GPT-2's byte-level BPE vocabulary (50,257 tokens, learnt from WebText; Radford et al. 2019,
MIT licence) and BERT-base-cased's WordPiece vocabulary (28,996 tokens, learnt from Wikipedia and
BooksCorpus; Devlin et al. 2019, Apache-2.0) give:
- capitalised_words.txt: the words they hold only capitalised ("London", "Burgess", "Geneva", but neither
  "london" nor "burgess"), which large corpora write as names;
- known_words.txt: every word they hold in any case, the common vocabulary of English news and the web
  (35,000 words); a word outside it that the article never writes is most likely a name.
In a lower-cased summary both mark names (`harness.facts.lowercase_names`). The vocabularies are read from
the copies the blingfire package ships (a dev dependency); only the derived word lists are kept here.

    python harness/facts/data/build_word_lists.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
VOCABULARIES = {"gpt2.i2w": 50257, "bert_base_cased_tok.i2w": 28996}
MIN_LENGTH = 3  # "Al", "Le": fragments of names as often as names


def vocabulary_tokens() -> set[str]:
    """Every whole-word token of the two vocabularies, as written (WordPiece continuations left out)."""
    import blingfire
    import numpy as np

    folder = os.path.dirname(blingfire.__file__)
    tokens: set[str] = set()
    for name, size in VOCABULARIES.items():
        model = blingfire.load_model(os.path.join(folder, name))
        for token_id in range(size):
            try:
                text = blingfire.ids_to_text(model, np.array([token_id], dtype=np.int32), skip_special_tokens=False)
            except UnicodeDecodeError:  # byte-level pieces of multi-byte characters
                continue
            if text and not text.startswith("##"):
                tokens.add(text.strip())
    return tokens


def _word(token: str) -> bool:
    return token.isalpha() and token.isascii() and len(token) >= MIN_LENGTH


def capitalised_only(tokens: set[str]) -> list[str]:
    """Lower-cased words present capitalised ("London") and absent in lower case."""
    return sorted({t.lower() for t in tokens if _word(t) and t[:1].isupper() and t.lower() not in tokens})


def known(tokens: set[str]) -> list[str]:
    """Lower-cased words present in any case."""
    return sorted({t.lower() for t in tokens if _word(t)})


def main() -> int:
    tokens = vocabulary_tokens()
    for name, words, what in (("capitalised_words.txt", capitalised_only(tokens), "hold only capitalised"),
                              ("known_words.txt", known(tokens), "hold in any case")):  # fmt: skip
        header = f"# Words GPT-2's and BERT-base-cased's vocabularies {what}; built by build_word_lists.py\n"
        (HERE / name).write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        print(f"wrote {HERE / name} ({len(words)} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
