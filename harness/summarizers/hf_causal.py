"""Instruction-tuned (chat) models from Hugging Face through AutoModelForCausalLM.generate.

The article goes into a prompt template, the prompt through the tokenizer's chat template, and the
reply comes back without the prompt and without reasoning or "Here is a summary:" lead-ins. Batches
are padded on the left, as decoder-only generation needs: every row must end where generation starts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import Field

from harness import hub
from harness.errors import HarnessError
from harness.summarizers import huggingface as hf
from harness.summarizers.base import SummaryError, SummaryOutput
from harness.summarizers.plain import plain_mapping
from harness.summarizers.prompting import PromptOptions, clean_reply

log = logging.getLogger(__name__)

# apply_chat_template's own arguments: the backend sets them, or they would replace the template or its input.
_TEMPLATE_ARGUMENTS = {
    name: "is an argument of apply_chat_template, not a template variable; the backend sets what it needs"
    for name in ("conversation", "tools", "documents", "chat_template", "add_generation_prompt", "continue_final_message",
                 "tokenize", "padding", "truncation", "max_length", "return_tensors", "return_dict", "return_assistant_tokens_mask",
                 "tokenizer_kwargs", "processor_kwargs")
}
TemplateKwargs = plain_mapping(_TEMPLATE_ARGUMENTS)
_GENERATION_FIELDS = ("max_new_tokens", "do_sample", "temperature", "top_p", "top_k", "repetition_penalty", "num_beams")


class CausalOptions(hf.HFModelOptions, PromptOptions):
    """Options of the hf-causal backend: the checkpoint, the prompt, and generation settings."""

    model: str = Field(description="hub id (e.g. Qwen/Qwen2.5-0.5B-Instruct) or local folder (relative to the config)")
    chat: bool | None = Field(None, description="use the tokenizer's chat template; unset: when it has one")
    chat_template_kwargs: TemplateKwargs = Field(
        default_factory=dict, description="extra template variables (plain data), e.g. enable_thinking: false"
    )
    max_new_tokens: int | None = Field(256, gt=0)
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    top_k: int | None = Field(None, gt=0)
    repetition_penalty: float | None = Field(None, gt=0)
    num_beams: int | None = Field(None, gt=0)


class HFCausal(hf.HFSummarizer):
    """A Hugging Face decoder-only chat or instruction model, prompted for a summary."""

    backend = "hf-causal"
    description = "Hugging Face chat/instruction model (Qwen, Llama, Phi...) via AutoModelForCausalLM and its chat template"
    Options = CausalOptions
    options: CausalOptions

    def load(self) -> None:
        """Load tokenizer and weights onto the device (once), set up for left-padded batches."""
        if self._model is not None:
            return
        from transformers import AutoModelForCausalLM

        tokenizer, model, self.device = hf.load_pretrained(self.name, self.options, self.local, AutoModelForCausalLM)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:  # Llama and others ship none; padded positions are masked anyway
            tokenizer.pad_token = tokenizer.eos_token
        if self.options.chat and not tokenizer.chat_template:
            raise HarnessError(f"model '{self.name}': {self.options.model} has no chat template; set chat: false to send the prompt as plain text")
        self._tokenizer, self._model = tokenizer, model

    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Prompt for each article in batches of similar length (longest first) and yield the cleaned replies."""
        import torch

        self.load()
        tokenizer, model = self._tokenizer, self._model
        prompts = [self.fit_prompt(article) for article in articles]
        order = sorted(range(len(prompts)), key=lambda i: -prompts[i][1])
        generate_kwargs = self.generate_kwargs()
        for start in range(0, len(order), self.options.batch_size):
            batch = order[start : start + self.options.batch_size]
            started = time.perf_counter()
            # The chat template already holds the special tokens the model expects around a turn.
            encoded = tokenizer([prompts[i][0] for i in batch], return_tensors="pt", padding=True, add_special_tokens=not self.uses_chat())
            encoded = encoded.to(self.device)
            if generate_kwargs.get("do_sample"):
                torch.manual_seed(self.seed)
            with torch.inference_mode():
                output = model.generate(**encoded, **generate_kwargs, pad_token_id=tokenizer.pad_token_id)
            replies = output[:, encoded["input_ids"].shape[1] :]  # left padding: every prompt ends at the same column
            seconds = (time.perf_counter() - started) / len(batch)
            for row, index in enumerate(batch):
                ids, finished = self._until_end(replies[row].tolist())
                reply = tokenizer.decode(ids, skip_special_tokens=True)
                yield index, self._output(reply, seconds, prompts[index], len(ids), "stop" if finished else "length")

    def uses_chat(self) -> bool:
        """Whether prompts go through the tokenizer's chat template."""
        return self.options.chat if self.options.chat is not None else bool(self._tokenizer.chat_template)

    def render(self, article: str) -> str:
        """The full prompt text for one article: chat-templated messages, or system and user text for plain models."""
        messages = self.options.messages(article)
        if self.uses_chat():
            return self._tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True, **self.options.chat_template_kwargs
            )
        return "\n\n".join(message["content"] for message in messages) + "\n\n"

    def fit_prompt(self, article: str) -> tuple[str, int, bool]:
        """(prompt, its token count, truncated): the article is cut, never the instructions, to fit the input limit."""
        prompt = self.render(article)
        length = self._count(prompt)
        limit = self.max_input_tokens()
        if length <= limit:
            return prompt, length, False
        article_ids = self._tokenizer(article, add_special_tokens=False, verbose=False)["input_ids"]
        keep = max(limit - (length - len(article_ids)), 0)
        prompt = self.render(self._tokenizer.decode(article_ids[:keep]))
        return prompt, self._count(prompt), True

    def max_input_tokens(self) -> int:
        """Longest prompt: the option, else the model's context less the room the reply needs."""
        if self.options.max_input_tokens:
            return self.options.max_input_tokens
        context = hub.model_input_limit(self._tokenizer, self._model)
        return context - (self.options.max_new_tokens or 0) if context < hub.NO_LIMIT else context

    def generate_kwargs(self) -> dict[str, Any]:
        """generate() arguments: named options that are set, then generate_kwargs (sampling knobs only when sampling)."""
        kwargs = {field: getattr(self.options, field) for field in _GENERATION_FIELDS if getattr(self.options, field) is not None}
        if not kwargs.get("do_sample"):
            for knob in ("temperature", "top_p", "top_k"):  # greedy search ignores them, and transformers warns
                kwargs.pop(knob, None)
        return {**kwargs, **self.options.generate_kwargs}

    def _count(self, prompt: str) -> int:
        return len(self._tokenizer(prompt, add_special_tokens=not self.uses_chat(), verbose=False)["input_ids"])

    def _until_end(self, ids: list[int]) -> tuple[list[int], bool]:
        # A finished row ends in an end token and is then padded: keep what comes before its first end token.
        eos = self._model.generation_config.eos_token_id
        ends = (set(eos) if isinstance(eos, list) else {eos}) | {self._tokenizer.eos_token_id}
        for position, token in enumerate(ids):
            if token in ends:
                return ids[:position], True
        return ids, False  # stopped by max_new_tokens (a pad token inside a reply is the model's own, skipped when decoding)

    def _output(
        self, reply: str, seconds: float, prompt: tuple[str, int, bool], tokens_out: int, finish_reason: str
    ) -> SummaryOutput | SummaryError:
        cleaned = clean_reply(reply, self.options.strip_thinking, self.options.strip_preamble)
        if cleaned.unfinished_thinking:
            return SummaryError(f"the reply was still reasoning after {tokens_out} tokens; raise max_new_tokens or turn thinking off", seconds)
        return SummaryOutput(
            summary=cleaned.summary,
            seconds=seconds,
            tokens_in=prompt[1],
            tokens_out=tokens_out,
            truncated=prompt[2],
            meta={"finish_reason": finish_reason, **cleaned.meta()},
        )
