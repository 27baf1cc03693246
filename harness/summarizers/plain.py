"""Option values that are plain data: what a config may hand to generate(), a chat template or a server.

A config is data, so no option may reach a path that loads or runs code. transformers' generate() takes
`custom_generate` (a folder or hub repo whose Python it runs), `trust_remote_code`, callables
(`prefix_allowed_tokens_fn`, `streamer`, `logits_processor`, `stopping_criteria`) and whole models
(`assistant_model`). So `generate_kwargs` is an allow-list of plain generate() options whose values are
numbers, bools or lists of them; free-form options (`chat_template_kwargs`, `extra_body`) take plain JSON
data in which no key names one of those code paths, at any depth.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator

# Plain generate() options that shape one summary per article: numbers, bools and lists of numbers.
# Left out on purpose: options that load code or models (custom_generate, trust_remote_code,
# assistant_model, the deprecated modes that transformers 5 fetches from hub repos: penalty_alpha,
# dola_layers, num_beam_groups, diversity_penalty, force_words_ids, constraints), options that change what
# generate() returns (num_return_sequences, return_dict_in_generate, output_*), and options the backends
# set themselves (pad_token_id) or that need objects (streamer, tokenizer, cache and compile configs).
GENERATE_OPTIONS = frozenset({
    "max_length", "max_new_tokens", "min_length", "min_new_tokens", "early_stopping", "max_time", "do_sample",
    "num_beams", "use_cache", "temperature", "top_k", "top_p", "min_p", "typical_p", "epsilon_cutoff",
    "eta_cutoff", "repetition_penalty", "encoder_repetition_penalty", "length_penalty", "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size", "bad_words_ids", "renormalize_logits", "forced_bos_token_id",
    "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens",
    "begin_suppress_tokens", "bos_token_id", "eos_token_id", "decoder_start_token_id",
    "prompt_lookup_num_tokens", "max_matching_ngram_size",
})
# Keys that name a way to load or run code, refused wherever they appear (generate, templates, servers).
CODE_KEYS = frozenset({
    "custom_generate", "trust_remote_code", "streamer", "logits_processor", "logits_processors",
    "stopping_criteria", "assistant_model", "assistant_tokenizer", "prefix_allowed_tokens_fn", "tokenizer",
    "auto_map", "code_revision",
})
_CODE_KEY = re.compile(r"(?:_fn|_func|_function|_callable|_hook|_class|_module)$", re.IGNORECASE)
MAX_DEPTH = 8  # nesting of free-form data; a config's options are never deeper
MAX_VALUES = 100_000  # values in one option, counting shared ones each time (as JSON would write them)


def code_key(key: str) -> bool:
    """Whether an option name asks for code: a known code-loading option, or a name such as `*_fn`."""
    return key.lower() in CODE_KEYS or bool(_CODE_KEY.search(key))


def _refuse_code_key(key: str) -> str:
    if code_key(key):
        raise ValueError("names a way to load or run code; a config is data, so it may not be set here")
    return key


def _generate_key(key: str) -> str:
    _refuse_code_key(key)
    if key not in GENERATE_OPTIONS:
        hint = difflib.get_close_matches(key, GENERATE_OPTIONS, n=1)
        also = f"did you mean '{hint[0]}'? " if hint else ""
        raise ValueError(f"not a generate() option the harness passes on ({also}allowed: {', '.join(sorted(GENERATE_OPTIONS))})")
    return key


def _number_value(value: Any) -> Any:
    """A bool, a finite number, or a list (of lists) of them: every allowed generate() option takes one."""
    def check(item: Any, depth: int) -> None:
        if isinstance(item, int):  # bools too
            return
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{item} is not a finite number")
            return
        if isinstance(item, (list, tuple)) and depth < 2:
            for element in item:
                check(element, depth + 1)
            return
        raise ValueError(f"a generate() option here is a number, a bool or a list of numbers, not {_kind(item)}")

    check(value, 0)
    return list(value) if isinstance(value, tuple) else value


def plain_data(value: Any, path: str = "") -> Any:
    """Check value is JSON data (finite numbers, strings, bools, null, lists, string-keyed mappings) and
    names no code-loading key at any depth; raises ValueError naming where."""
    pending: list[tuple[Any, str, int]] = [(value, path, 0)]
    count = 0
    while pending:
        item, where, depth = pending.pop()
        count += 1
        if count > MAX_VALUES:  # Python objects can share lists as YAML aliases do: bound what a dump would write
            raise ValueError(f"holds more than {MAX_VALUES:,} values")
        if item is None or isinstance(item, (bool, int, str)):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{_at(where)}{item} is not a finite number")
            continue
        if depth >= MAX_DEPTH:
            raise ValueError(f"{_at(where)}nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ValueError(f"{_at(where)}key {key!r} is not a string")  # noqa: TRY004 (pydantic reports ValueError, not TypeError)
                if code_key(key):
                    raise ValueError(f"{_at(_join(where, key))}names a way to load or run code; a config is data, so it may not be set here")
                pending.append((child, _join(where, key), depth + 1))
        elif isinstance(item, (list, tuple)):
            pending.extend((child, f"{where}[{index}]", depth + 1) for index, child in enumerate(item))
        else:
            raise ValueError(f"{_at(where)}{_kind(item)} is not plain data (use numbers, strings, bools, lists and mappings)")  # noqa: TRY004
    return value


def _kind(value: Any) -> str:
    return "a string" if isinstance(value, str) else "a callable" if callable(value) else f"a {type(value).__name__}"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _at(where: str) -> str:
    return f"{where}: " if where else ""


def _refusing(names: dict[str, str]) -> Callable[[str], str]:
    """A key check that refuses code keys and the given names (each with the reason it is refused)."""
    def check(key: str) -> str:
        _refuse_code_key(key)
        if key in names:
            raise ValueError(names[key])
        return key

    return check


def _plain_value(value: Any) -> Any:
    return plain_data(value)


# Typed dicts for options that take free-form data. Pydantic reports a bad key at (field, key, "[key]")
# and a bad value at (field, key): either way the error names the key.
GenerateKwargs = dict[Annotated[str, AfterValidator(_generate_key)], Annotated[Any, AfterValidator(_number_value)]]


def plain_mapping(refused: dict[str, str] | None = None) -> Any:
    """The type of a free-form mapping option: plain data values, no code keys, and none of `refused`."""
    return dict[Annotated[str, AfterValidator(_refusing(refused or {}))], Annotated[Any, AfterValidator(_plain_value)]]
