"""Prompt templates and reply cleaning shared by the chat backends."""

import pytest
from pydantic import ValidationError

from harness.summarizers.prompting import PromptOptions, clean_reply


@pytest.mark.parametrize(
    ("reply", "summary"),
    [
        ("<think>They want 3 sentences.</think>\n\nTalks ended.", "Talks ended."),
        ("Counting the dead first...</think>Talks ended.", "Talks ended."),  # the template opened the block
        ("<reasoning>a</reasoning> <thinking>b</thinking>Talks ended.", "Talks ended."),
        ("Sure! Here is a concise summary of the article:\n\nTalks ended.", "Talks ended."),
        ("Here's a 3-sentence summary: Talks ended.", "Talks ended."),
        ("**Summary:** Talks ended.", "Talks ended."),
        ("TL;DR: Talks ended.", "Talks ended."),
        ("Talks ended.\n\nLet me know if you would like a shorter version!", "Talks ended."),
        ("Talks ended.\nI hope this helps.", "Talks ended."),
    ],
)
def test_reasoning_lead_ins_and_sign_offs_are_cut(reply, summary):
    assert clean_reply(reply).summary == summary


@pytest.mark.parametrize(
    "reply",
    [
        "Here is what happened: talks ended.",  # no "summary" in the lead-in: it is part of the summary
        "The summary of the talks: they ended.",
        "Talks ended. Here is a summary of what followed: nothing.",  # not at the start
        "Summary:",  # nothing after the label: keep what there is
    ],
)
def test_summary_text_that_only_looks_like_a_preamble_is_kept(reply):
    assert clean_reply(reply).summary == reply.strip()


def test_what_was_cut_is_reported_and_switches_turn_it_off():
    cleaned = clean_reply("<think>x</think>Here is a summary:\nTalks ended.\n\nLet me know if you need more.")
    assert cleaned.meta() == {"stripped_thinking": True, "stripped_preamble": "Here is a summary: … Let me know if you need more."}
    raw = "<think>x</think>Here is a summary:\nTalks ended."
    assert clean_reply(raw, strip_thinking=False, strip_preamble=False).summary == raw
    assert clean_reply("Talks ended.").meta() == {}


def test_a_reply_that_is_only_reasoning_is_unfinished():
    assert clean_reply("<think>Let me count the civilians").unfinished_thinking
    assert not clean_reply("Talks ended. <think>stray").unfinished_thinking


def test_messages_fill_the_template():
    options = PromptOptions(system_prompt="Be exact.", prompt="In {words} words or {sentences} sentences: {article} {{braces}}", words=50)
    assert options.messages("ART") == [
        {"role": "system", "content": "Be exact."},
        {"role": "user", "content": "In 50 words or 3 sentences: ART {braces}"},
    ]
    assert PromptOptions().messages("ART")[0]["role"] == "user"  # no system turn unless asked for


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("Summarize.", "must contain {article}"),
        ("{article} in {paragraphs}", "unknown placeholder {paragraphs}"),
        ("{article} in {words} words", "uses {words} but words is not set"),
        ("{article", "expected '}' before end of string"),
    ],
)
def test_bad_templates_are_rejected(prompt, message):
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("(", r"\(")):
        PromptOptions(prompt=prompt)
