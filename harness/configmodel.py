"""The base of every part of a config (the config itself, backends', scorers' and executors' options), and the
plain wording of pydantic's problems for one-line messages (`plain_problems`, `plain_message`).

pydantic in its default (lax) mode reads `true` as the number 1 and YAML's `workers: true` would run one
worker: a config's number fields take numbers only. Fields typed as a union (`str | list[str]`, `Path | bool`)
make pydantic report one problem per member, each at a location with the member's type in it
(`cache.lax-or-strict[...]`, `where.id.list[nullable[...]]`): `plain_problems` drops those tags and words the
members' problems as one "expected a path or true/false".
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

_NUMBERS = (int, float)


class ConfigModel(BaseModel):
    """A part of a config: unknown fields, inf/nan and true/false given for a number are refused."""

    # allow_inf_nan: "inf" and "nan" are not numbers a config means (pydantic would parse them from text).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            check_no_bool_number(field.annotation, value)
        return value


def check_no_bool_number(annotation: Any, value: Any, where: str = "") -> None:
    """Raise ValueError where `value` gives true/false for a number (at its top level, or as a value of a mapping
    or an item of a list whose type takes numbers but not booleans)."""
    if isinstance(value, bool):
        if not _takes(annotation, bool) and _takes(annotation, *_NUMBERS):
            raise ValueError(f"{where}expected a number, not {str(value).lower()} (write 1 or 0 if a number is meant)")
        return
    if isinstance(value, dict):
        inner = _member_args(annotation, dict)
        if inner:
            for key, item in value.items():
                check_no_bool_number(inner[-1], item, f"{where}{key}: ")
    elif isinstance(value, (list, tuple)):
        inner = _member_args(annotation, list, tuple)
        if inner:
            for index, item in enumerate(value):
                check_no_bool_number(inner[0], item, f"{where}[{index}]: ")


def _members(annotation: Any) -> list[Any]:
    """The types a (possibly Optional, Union or Annotated) annotation is made of."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        return [member for arg in typing.get_args(annotation) for member in _members(arg)]
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    return [annotation]


def _takes(annotation: Any, *kinds: type) -> bool:
    for member in _members(annotation):
        if member is Any:
            return True
        if typing.get_origin(member) is typing.Literal:
            if any(type(arg) in kinds for arg in typing.get_args(member)):
                return True
        elif member in kinds:
            return True
    return False


def _member_args(annotation: Any, *origins: type) -> tuple[Any, ...]:
    for member in _members(annotation):
        if typing.get_origin(member) in origins:
            return typing.get_args(member)
    return ()


# --- pydantic problems in plain words -------------------------------------------------------------

_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "bool_type": "true/false", "bool_parsing": "true/false",
    "path_type": "a path", "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "list_type": "a list", "tuple_type": "a list", "none_required": "null", "finite_number": "a finite number",
}  # fmt: skip


def plain_problems(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's problems with union-member tags taken out of their locations, and the problems of one union at
    one place merged into one "expected A or B, got C"."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for problem in errors:
        if problem["loc"] and problem["loc"][-1] == "[key]":  # a mapping's bad key: the key names the place, and is the input
            problem = {key: value for key, value in problem.items() if key != "input"} | {"loc": tuple(problem["loc"][:-1])}
        loc = tuple(part for part in problem["loc"] if not _is_tag(part))
        expected = _EXPECTED.get(problem["type"])
        if loc in merged:
            first = merged[loc]
            if expected and first["expected"] is not None and expected not in first["expected"]:
                first["expected"].append(expected)
            continue
        merged[loc] = {**problem, "loc": loc, "expected": [expected] if expected else None, "members": 0}
        merged[loc]["members"] = sum(1 for other in errors if tuple(p for p in other["loc"] if not _is_tag(p)) == loc)
    plain = []
    for problem in merged.values():
        expected, members = problem.pop("expected"), problem.pop("members")
        if expected and members > 1:  # one problem keeps pydantic's own words
            words = expected[0] if len(expected) == 1 else ", ".join(expected[:-1]) + " or " + expected[-1]
            problem = {**problem, "msg": f"expected {words}, got {shown(problem.get('input'))}"}
            problem.pop("input", None)
        plain.append(problem)
    return plain


def _is_tag(part: Any) -> bool:
    """Whether a location part names a union member (str, list[str], lax-or-strict[...]) rather than a field."""
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool", "none", "bytes"})


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return repr(value)


def plain_message(problem: dict[str, Any], model: type[BaseModel]) -> str:
    """One problem in the config's words: an unknown field with the nearest known one, a missing field, the
    type or bound expected and what was given ("expected a mapping such as {path: ..., hf: ...}, got '/data'")."""
    if problem["type"] == "extra_forbidden":
        field = str(problem["loc"][-1])
        owner = _model_at(model, tuple(problem["loc"][:-1]))
        allowed = sorted(owner.model_fields) if owner else []
        hint = difflib.get_close_matches(field, allowed, n=1)
        if hint:
            return f"unknown field; did you mean '{hint[0]}'?"
        return f"unknown field; known: {', '.join(allowed)}" if allowed else "unknown field"
    if problem["type"] == "missing":
        return "missing required field"
    expected = _EXPECTED.get(problem["type"]) if "input" in problem else None  # (a union's problems are merged already)
    if expected:  # the type is wrong: say what was expected in the config's words, not pydantic's
        owner = _model_at(model, tuple(problem["loc"])) if expected == "a mapping" else None
        if owner is not None:  # "dataset: /data" -> expected a mapping such as {path: ..., hf: ...}
            required = [name for name, field in owner.model_fields.items() if field.is_required()]
            shown_fields = required or list(owner.model_fields)[:2]
            expected = "a mapping such as {" + ", ".join(f"{name}: ..." for name in shown_fields) + "}"
        return f"expected {expected}, got {shown(problem['input'])}"
    bound = _BOUNDS.get(problem["type"])
    if bound and "input" in problem and problem.get("ctx"):
        limit = next(iter(problem["ctx"].values()))
        limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit  # "at most 1", not "1.0"
        return f"expected {bound} {limit}, got {shown(problem['input'])}"
    message = problem["msg"].removeprefix("Value error, ")
    if "input" in problem and not isinstance(problem["input"], (dict, list)) and ", not " not in message:  # not twice
        message += f" (got {_clipped(problem['input'])})"
    return message


def _clipped(value: Any, limit: int = 80) -> str:
    """repr(value), cut short: a whole prompt or a 300-character name would bury the message it ends."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}…{text[-10:]}"


_BOUNDS = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than", "less_than_equal": "at most"}


def _model_at(model: Any, loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model class found at loc inside model's fields, following Optional and tuple types."""
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        if isinstance(part, int):
            continue  # the element type was taken when the sequence field was entered
        field = model.model_fields.get(part)
        model = _unwrap(field.annotation) if field else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """First pydantic model class inside an annotation such as `X | None` or `tuple[X, ...]`."""
    pending = [annotation]
    while pending:
        current = pending.pop(0)
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current
        pending.extend(typing.get_args(current))
    return None


def fold_scorer_options(data: Any, keys: tuple[str, ...], block: str) -> Any:
    """Config data with the options `keys` moved out of each metrics.<scorer> into one top-level `block` (the old
    per-scorer bootstrap/confidence are statistics shared by all scorers); two scorers giving two values is an error."""
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        return data
    if not isinstance(data.get(block) or {}, dict):
        return data  # "statistics: 5": the field's own check names it
    legacy: dict[str, tuple[str, Any]] = {}
    metrics = {}
    for scorer, options in data["metrics"].items():
        if isinstance(options, dict):
            options = dict(options)
            for key in keys:
                if key in options:
                    value = options.pop(key)
                    if key in legacy and legacy[key][1] != value:
                        raise ValueError(
                            f"metrics.{legacy[key][0]}.{key} is {legacy[key][1]!r} but metrics.{scorer}.{key} is {value!r}: "
                            f"{block} are shared by all scorers; set {block}.{key} once"
                        )
                    legacy.setdefault(key, (scorer, value))
        metrics[scorer] = options
    folded = dict(data.get(block) or {})
    for key, (_, value) in legacy.items():
        folded.setdefault(key, value)
    return {**data, "metrics": metrics, **({block: folded} if folded else {})}
