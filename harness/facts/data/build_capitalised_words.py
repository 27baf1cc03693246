"""Rebuild capitalised_words.txt: the words two public cased vocabularies hold only capitalised.

A subword vocabulary learnt from a large cased corpus keeps a word as one token in the forms the corpus
writes it often. GPT-2's byte-level BPE vocabulary (50,257 tokens, learnt from WebText; Radford et al. 2019,
MIT licence) and BERT-base-cased's WordPiece vocabulary (28,996 tokens, learnt from Wikipedia and
BooksCorpus; Devlin et al. 2019, Apache-2.0) both hold "London", "Burgess" and "Geneva" but not "london",
"burgess" or "geneva", while "bill", "may" and "smith" are there in lower case too. A word held only
capitalised is one those corpora write as a name: in a lower-cased summary it is read as a name
(`harness.facts.lowercase_names`). The vocabularies are read from the copies the blingfire
package ships (a dev dependency); only the derived word list is kept in the project.

    python harness/facts/data/build_capitalised_words.py   # writes capitalised_words.txt beside this file
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OUT = Path(__file__).with_name("capitalised_words.txt")
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


def capitalised_only(tokens: set[str]) -> list[str]:
    """Lower-cased words present capitalised ("London") and absent in lower case, letters only."""
    return sorted({t.lower() for t in tokens if t[:1].isupper() and t.isalpha() and t.isascii()
                   and len(t) >= MIN_LENGTH and t.lower() not in tokens})  # fmt: skip


def main() -> int:
    words = capitalised_only(vocabulary_tokens())
    header = "# Words GPT-2's and BERT-base-cased's vocabularies hold only capitalised; built by build_capitalised_words.py\n"
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(words)} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
