"""Prompts for instruction-tuned models, and cleaning their replies down to the summary.

Shared by every chat backend (hf-causal, openai), so that the same config summarizes the same way
whether the model runs in-process or behind a server.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator, model_validator

from harness.summarizers.base import BackendOptions

PLACEHOLDERS = frozenset({"article", "words", "sentences"})
DEFAULT_PROMPT = (
    "Summarize the following news article in {sentences} sentences. Keep every number, name and date exactly "
    "as the article gives them, and add nothing that it does not say.\n\nArticle:\n{article}"
)

# Reasoning models wrap their chain of thought in one of these tags (DeepSeek-R1, Qwen3, QwQ: <think>).
_THINKING_TAGS = ("think", "thinking", "reasoning", "thought")
_THINK_BLOCK = re.compile(rf"<({'|'.join(_THINKING_TAGS)})>.*?</\1>", re.IGNORECASE | re.DOTALL)
_THINK_CLOSE = re.compile(rf"</(?:{'|'.join(_THINKING_TAGS)})>", re.IGNORECASE)
_THINK_OPEN = re.compile(rf"<(?:{'|'.join(_THINKING_TAGS)})>", re.IGNORECASE)
# "Sure! Here is a concise summary of the article:" / "Here's a 3-sentence summary:" / "Summary:"
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok|absolutely)\b[!,.]?\s*)?"
    r"(?:(?:here(?:'s|’s| is| are)|below is|the following is)\b[^\n]{0,120}?"
    r"(?:summary|summari[sz]ed|summari[sz]ation|points)[^\n]{0,60}?[:.]|"
    r"[*#_ ]*(?:summary|tl;?dr)[*_ ]*:[*_]*)[ \t]*(?:\n+|(?=\S))",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"\n+\s*(?:let me know|i hope this|feel free to|if you(?:'d| would) like|would you like)[^\n]*\s*$", re.IGNORECASE
)


class PromptOptions(BackendOptions):
    """How a chat model is asked for a summary, and how its reply is cleaned."""

    system_prompt: str | None = Field(None, description="system message; unset sends none (some chat templates reject one)")
    prompt: str = Field(DEFAULT_PROMPT, description="user message; {article} is required, {words} and {sentences} optional")
    sentences: int | None = Field(3, gt=0, description="target length that fills {sentences}")
    words: int | None = Field(None, gt=0, description="target length that fills {words}")
    strip_thinking: bool = Field(True, description="drop <think>...</think> reasoning from replies")
    strip_preamble: bool = Field(True, description="drop 'Here is a summary:' lead-ins and 'Let me know...' sign-offs")

    @field_validator("prompt")
    @classmethod
    def _plain_placeholders(cls, prompt: str) -> str:
        fields = template_fields(prompt)
        if "article" not in fields:
            raise ValueError("must contain {article}, where the article goes")
        return prompt

    @model_validator(mode="after")
    def _lengths_set(self) -> PromptOptions:
        fields = template_fields(self.prompt)
        for name in ("words", "sentences"):
            if name in fields and getattr(self, name) is None:
                raise ValueError(f"prompt: uses {{{name}}} but {name} is not set")
        return self

    def user_message(self, article: str) -> str:
        """The prompt with the article and target lengths filled in."""
        return fill(self.prompt, {"article": article, "words": str(self.words), "sentences": str(self.sentences)})

    def messages(self, article: str) -> list[dict[str, str]]:
        """Chat messages (system, then user) for one article."""
        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return messages + [{"role": "user", "content": self.user_message(article)}]


def template_fields(template: str) -> set[str]:
    """Names of the {placeholders} a prompt uses; ValueError for an unbalanced brace or anything but a plain
    {article}, {words} or {sentences}."""
    return {name for _, name in _parts(template) if name is not None}


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each plain placeholder replaced by its value and {{ }} by single braces."""
    # Not str.format: a config is data, and format() would evaluate {article.__class__}, {article[0]} or a
    # 99,999,999-character :format spec. The template is only split into text and names here.
    return "".join(text + (values[name] if name is not None else "") for text, name in _parts(template))


def _parts(template: str) -> list[tuple[str, str | None]]:
    """(text, placeholder name or None) pieces of a prompt, every placeholder a plain known name."""
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError as error:  # parse() only splits the text; it looks nothing up
        raise ValueError(f"{error} (write {{{{ and }}}} for a literal brace)") from None
    parts = []
    for text, name, spec, conversion in pieces:
        if name is not None:
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            if name not in PLACEHOLDERS and re.fullmatch(r"\w*", name):
                raise ValueError(f"unknown placeholder {written}: a prompt fills in {_KNOWN}, not other names (write {{{{ and }}}} for a literal brace)")
            if name not in PLACEHOLDERS or conversion or spec:
                raise ValueError(
                    f"{written} is not a plain placeholder: a prompt is text, not code, so only {_KNOWN} are filled in, as they "
                    "are, with no attribute, [index], !conversion or :format (write {{ and }} for a literal brace)"
                )
        parts.append((text, name))
    return parts


_KNOWN = "{article}, {words} and {sentences}"


@dataclass(frozen=True)
class CleanedReply:
    """A model's reply reduced to the summary, and what was cut from it."""

    summary: str
    thinking: bool = False  # a reasoning block was removed
    preamble: str | None = None  # the lead-in or sign-off text removed
    unfinished_thinking: bool = False  # the reply ended inside its reasoning: there is no summary

    def meta(self) -> dict[str, Any]:
        """What was removed, for the generation record (empty when nothing was)."""
        found: dict[str, Any] = {}
        if self.thinking:
            found["stripped_thinking"] = True
        if self.preamble:
            found["stripped_preamble"] = self.preamble
        return found


def clean_reply(text: str, strip_thinking: bool = True, strip_preamble: bool = True) -> CleanedReply:
    """Cut reasoning blocks, a 'Here is a summary:' lead-in and a 'Let me know...' sign-off from a reply."""
    thinking = unfinished = False
    if strip_thinking:
        text, count = _THINK_BLOCK.subn("", text)
        thinking = count > 0
        closes = list(_THINK_CLOSE.finditer(text))
        if closes:  # the chat template opened the block inside the prompt (DeepSeek-R1, Qwen3)
            text, thinking = text[closes[-1].end() :], True
        opened = _THINK_OPEN.search(text)
        if opened:  # still thinking when generation stopped
            text, thinking, unfinished = text[: opened.start()], True, not text[: opened.start()].strip()
    removed: list[str] = []
    if strip_preamble:
        lead = _PREAMBLE.match(text)
        if lead and text[lead.end() :].strip():
            removed.append(lead.group(0).strip())
            text = text[lead.end() :]
        tail = _SIGN_OFF.search(text)
        if tail and text[: tail.start()].strip():
            removed.append(tail.group(0).strip())
            text = text[: tail.start()]
    return CleanedReply(text.strip(), thinking, " … ".join(removed) or None, unfinished)
