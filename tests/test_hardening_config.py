"""Bad configs, as an attacker or a careless user writes them: each is exit 2 and one line naming file,
line and field, found by `harness validate` before any model runs; no config field reaches code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import ROOT

from harness.cli import main
from harness.config import parse_config
from harness.errors import HarnessError
from harness.runner import build_summarizers
from harness.yamlsource import MAX_YAML_VALUES

HEAD = "name: demo\ndataset: {path: docs.jsonl}\nmetrics: {rouge: {bootstrap: 0}, facts: {bootstrap: 0}}\nmodels:\n"
DOCS = [{"id": f"doc-{i}", "article": f"Article {i}. It has two sentences.", "references": ["A reference."]} for i in range(2)]
SEQ2SEQ = "  - {name: b, backend: hf-seq2seq, model: ./tiny, generate_kwargs: %s}\n"
CAUSAL = "  - {name: c, backend: hf-causal, model: ./tiny, chat_template_kwargs: %s}\n"
OPENAI = "  - {name: o, backend: openai, base_url: 'http://127.0.0.1:9/v1', model: m, %s}\n"
PRECOMPUTED = "  - {name: sys, backend: precomputed, path: outputs.jsonl, %s}\n"
ROWS = [{"doc_id": "doc-0", "system": "bart", "summary": "One."}, {"doc_id": "doc-1", "system": "t5", "summary": "Two."}]


def _bomb(levels: int = 9) -> str:
    """Billion-laughs YAML anchors (10**levels values once expanded), as a top-level scratch key."""
    lines = ["x-bomb:", "  - &l0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _inline_bomb(levels: int = 9) -> str:
    """The same bomb written inside one flow sequence, where a value is expected."""
    parts = ["&i0 [a, a, a, a, a, a, a, a, a, a]"] + [f"&i{i} [{', '.join([f'*i{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A folder with a JSONL dataset, precomputed outputs and a tiny-looking local model folder (config only)."""
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(doc) + "\n" for doc in DOCS), encoding="utf-8")
    (tmp_path / "outputs.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "config.json").write_text(json.dumps({"model_type": "bart"}), encoding="utf-8")
    return tmp_path


def validate(project: Path, text: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """`harness validate` (or `harness run` with extra args) on text; asserts exit 2 and one clean line, returns it."""
    path = project / "config.yaml"
    path.write_text(text, encoding="utf-8")
    code = main([*(extra or ("validate",)), str(path)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0].removeprefix("error: ").replace(str(project) + "/", "")


CODE_PATHS = [
    # generate() options that load or run code, or take objects
    (SEQ2SEQ % "{custom_generate: ./evil}", r"^config.yaml:5: models\[0\].generate_kwargs.custom_generate: names a way to load or run code"),
    (SEQ2SEQ % "{trust_remote_code: true}", r"^config.yaml:5: models\[0\].generate_kwargs.trust_remote_code: names a way to load or run code"),
    (SEQ2SEQ % "{prefix_allowed_tokens_fn: x}", r"models\[0\].generate_kwargs.prefix_allowed_tokens_fn: names a way to load or run code"),
    (SEQ2SEQ % "{my_scorer_fn: x}", r"models\[0\].generate_kwargs.my_scorer_fn: names a way to load or run code"),
    (SEQ2SEQ % "{streamer: x}", r"generate_kwargs.streamer: names a way"),
    (SEQ2SEQ % "{logits_processor: [x]}", r"generate_kwargs.logits_processor: names a way"),
    (SEQ2SEQ % "{stopping_criteria: [x]}", r"generate_kwargs.stopping_criteria: names a way"),
    (SEQ2SEQ % "{assistant_model: org/draft}", r"generate_kwargs.assistant_model: names a way"),
    (SEQ2SEQ % "{penalty_alpha: 0.6}", r"generate_kwargs.penalty_alpha: not a generate\(\) option the harness passes on"),  # fetched from a hub repo
    (SEQ2SEQ % "{num_return_sequences: 4}", r"generate_kwargs.num_return_sequences: not a generate\(\) option .*allowed: bad_words_ids"),
    (SEQ2SEQ % "{num_beam: 4}", r"generate_kwargs.num_beam: not a generate\(\) option the harness passes on \(did you mean 'num_beams'\?"),
    (SEQ2SEQ % "{num_beams: '4'}", r"generate_kwargs.num_beams: a generate\(\) option here is a number, a bool or a list of numbers, not a string"),
    (SEQ2SEQ % "{bad_words_ids: [[1, [2, 3]]]}", r"generate_kwargs.bad_words_ids: .*not a list"),
    (SEQ2SEQ % "[top_k, 5]", r"models\[0\].generate_kwargs: expected a mapping, got a list$"),
    # chat template variables: plain data, not apply_chat_template's own arguments
    (CAUSAL % "{chat_template: '{{ evil }}'}", r"models\[0\].chat_template_kwargs.chat_template: is an argument of apply_chat_template"),
    (CAUSAL % "{tokenize: true}", r"models\[0\].chat_template_kwargs.tokenize: is an argument of apply_chat_template"),
    (CAUSAL % "{options: {nested: {trust_remote_code: true}}}", r"chat_template_kwargs.options: nested.trust_remote_code: names a way to load or run code"),
    (CAUSAL % "{custom_generate: x}", r"chat_template_kwargs.custom_generate: names a way"),
    # what goes to a server: no code keys at any depth, no second way to set what the backend sets
    (OPENAI % "extra_body: {custom_generate: x}", r"^config.yaml:5: models\[0\].extra_body.custom_generate: names a way to load or run code"),
    (OPENAI % "extra_body: {vllm: [{logits_processors: [my.Proc]}]}", r"extra_body.vllm: \[0\].logits_processors: names a way"),
    (OPENAI % "extra_body: {model: other}", r"models\[0\].extra_body.model: is set by the model: option"),
    (OPENAI % "extra_body: {messages: []}", r"models\[0\].extra_body.messages: is built from prompt: and system_prompt:"),
    (OPENAI % "extra_body: {temperature: 0.5}", r"models\[0\].extra_body.temperature: has its own option: set temperature: instead"),
    (OPENAI % "extra_body: {stream: true}", r"models\[0\].extra_body.stream: cannot be set: the backend reads whole replies"),
    (OPENAI % "extra_body: {a: [[[[[[[[[[1]]]]]]]]]]}", r"extra_body.a: .*nested more than 8 levels deep"),
    # precomputed where takes values, not structures
    (PRECOMPUTED % "where: {system: {a: 1}}", r"models\[0\].where.system"),
]


@pytest.mark.parametrize(("entry", "expected"), CODE_PATHS)
def test_no_option_reaches_code(project, capsys, entry, expected):
    line = validate(project, HEAD + entry, capsys)
    assert re.search(expected, line), line


NOT_NUMBERS = [
    (OPENAI % "temperature: .inf", r"^config.yaml:5: models\[0\].temperature: inf is not a finite number \(a config takes no .inf or .nan\)"),
    (OPENAI % "temperature: .nan", r"^config.yaml:5: models\[0\].temperature: nan is not a finite number"),
    (OPENAI % "temperature: -.inf", r"models\[0\].temperature: -inf is not a finite number"),
    (OPENAI % "temperature: 'nan'", r"models\[0\].temperature: expected a finite number, got 'nan'$"),  # text pydantic would read as nan
    (OPENAI % "top_p: 'inf'", r"models\[0\].top_p: expected a finite number, got 'inf'$"),
    (OPENAI % "extra_body: {top_k: .inf}", r"models\[0\].extra_body.top_k: inf is not a finite number"),
    (SEQ2SEQ % "{length_penalty: .nan}", r"models\[0\].generate_kwargs.length_penalty: nan is not a finite number"),
    (PRECOMPUTED % "where: {score: .nan}", r"models\[0\].where.score: nan is not a finite number"),
]


@pytest.mark.parametrize(("entry", "expected"), NOT_NUMBERS)
def test_inf_and_nan_are_refused_wherever_they_are(project, capsys, entry, expected):
    line = validate(project, HEAD + entry, capsys)
    assert re.search(expected, line), line


def test_inf_is_refused_outside_models_too(project, capsys):
    assert validate(project, HEAD + "  - {name: l, backend: lead}\nseed: .inf\n", capsys) == (
        "config.yaml:6: seed: inf is not a finite number (a config takes no .inf or .nan)"
    )


LEAD = "  - {name: l, backend: lead}\n"
NOT_THIS_TYPE = [
    # true/false where a number goes: pydantic's lax mode read them as 1 and 0 (workers: true ran one worker)
    (HEAD + LEAD + "workers: true\n", r"^config.yaml:6: workers: expected a number, not true \(write 1 or 0 if a number is meant\)$"),
    (HEAD + "  - {name: l, backend: lead, sentences: true}\n", r"^config.yaml:5: models\[0\].sentences: expected a number, not true"),
    (HEAD + LEAD + "statistics: {bootstrap: false}\n", r"^config.yaml:6: statistics.bootstrap: expected a number, not false"),
    (HEAD + LEAD + "gates: {max: {facts.contradicted: true}}\n", r"^config.yaml:6: gates.max: facts.contradicted: expected a number, not true"),
    # a union's problems: one place, in words (was cache.lax-or-strict[lax=union[json-or-python[...]: ...)
    (HEAD + LEAD + "cache: [a]\n", r"^config.yaml:6: cache: expected a path or true/false, got a list$"),
    (HEAD.replace("{path: docs.jsonl}", "{path: docs.jsonl, where: {id: {a: 1}}}") + LEAD,
     r"^config.yaml:2: dataset.where.id: expected text, a whole number, a number, true/false or a list, got a mapping$"),
    # a list where a name goes was a TypeError traceback (unhashable type: 'list')
    (HEAD + LEAD + "executor: {type: [local]}\n", r"^config.yaml:6: executor.type: expected the name of an executor \(local, ray\), got a list$"),
    # a plain value where a section goes was pydantic's "Input should be a valid dictionary or instance of DatasetConfig"
    (HEAD.replace("dataset: {path: docs.jsonl}", "dataset: docs.jsonl") + LEAD,
     r"^config.yaml:2: dataset: expected a mapping such as \{path: \.\.\., hf: \.\.\.\}, got 'docs.jsonl'$"),
    (HEAD + "  - lead\n", r"^config.yaml:5: models\[0\]: expected a mapping such as \{name: \.\.\., backend: \.\.\.\}, got 'lead'$"),
    (HEAD + LEAD + "statistics: 5\n", r"^config.yaml:6: statistics: expected a mapping such as \{bootstrap: \.\.\., confidence: \.\.\.\}, got 5$"),
    # an empty model id passed validation with the advice to run `hf download ` (nothing after it)
    (HEAD + "  - {name: b, backend: hf-seq2seq, model: ''}\n", r"^config.yaml:5: models\[0\].model: is empty; give a hub id"),
    (HEAD + "  - {name: b, backend: openai, base_url: 'http://localhost:1/v1', model: ' '}\n",
     r"^config.yaml:5: models\[0\].model: is empty; give the model's name as the server knows it"),
    # numbers too large for what they set: a ValueError traceback from numpy, an OverflowError per document
    (HEAD + LEAD + "statistics: {bootstrap: 100000000000000000000}\n", r"^config.yaml:6: statistics.bootstrap: expected at most 1000000, got 100000000000000000000$"),
    (HEAD + OPENAI % "timeout: 1e300", r"^config.yaml:5: models\[0\].timeout: expected at most 86400, got '1e300'$"),
]


@pytest.mark.parametrize(("text", "expected"), NOT_THIS_TYPE)
def test_wrong_types_and_sizes_are_named_plainly(project, capsys, text, expected):
    line = validate(project, text, capsys)
    assert re.search(expected, line), line


def test_a_bool_option_still_reads_yaml_bools(project, capsys):
    (project / "config.yaml").write_text(HEAD.replace("facts: {bootstrap: 0}", "facts: {bootstrap: 0, gold: false}") + LEAD, encoding="utf-8")
    assert main(["validate", str(project / "config.yaml")]) == 0, capsys.readouterr()


YAML_TRAPS = [
    # duplicate keys: the last would win silently
    ("name: demo\n" + HEAD.removeprefix("name: demo\n") + "  - {name: l, backend: lead}\nname: other\n",
     r"^config.yaml:6: name: given twice \(first at line 1\); YAML would keep only the last"),
    (HEAD + "  - {name: l, backend: lead, sentences: 3, sentences: 2}\n", r"^config.yaml:5: models\[0\].sentences: given twice \(first at line 5\)"),
    (HEAD + "  - name: l\n    backend: lead\n    name: l2\n", r"^config.yaml:7: models\[0\].name: given twice \(first at line 5\)"),
    (HEAD + OPENAI % "extra_body: {a: 1, a: 2}", r"models\[0\].extra_body.a: given twice"),
    # alias bombs, wherever they land
    (_bomb() + HEAD + PRECOMPUTED % "where: {system: *l8}",
     rf"^config.yaml:1: x-bomb\[8\]: YAML aliases expand this file to more than {MAX_YAML_VALUES:,} values; write the values out"),
    (HEAD + PRECOMPUTED % f"where: {{system: {_inline_bomb()}}}",
     rf"^config.yaml:5: models\[0\].where.system\[8\]\[0\]: YAML aliases expand this file to more than {MAX_YAML_VALUES:,} values"),
    (_bomb(7) + HEAD + OPENAI % "extra_body: {x: *l6}", r"YAML aliases expand this file"),
    (_bomb(7) + HEAD + SEQ2SEQ % "{bad_words_ids: *l6}", r"YAML aliases expand this file"),
    # a key YAML reads as something other than a name: it was "None: Keys should be strings" at line 1
    (HEAD + "  - {name: l, backend: lead}\n~: 1\n", r"^config.yaml:6: the key '~' is read as null, not as a name; every key"),
    (HEAD + "  - {name: l, backend: lead, 3: 4}\n", r"^config.yaml:5: models\[0\]: the key '3' is read as int, not as a name"),
    (HEAD + "  - {name: l, backend: lead}\nyes: 1\n", r"^config.yaml:6: the key 'yes' is read as bool"),
    # one ROUGE type twice would be scored twice and shown once
    (HEAD.replace("rouge: {bootstrap: 0}", "rouge: {bootstrap: 0, types: [rouge1, rouge1]}") + "  - {name: l, backend: lead}\n",
     r"^config.yaml:3: metrics.rouge.types: 'rouge1' is listed twice; name each ROUGE type once"),
    # an alias inside its own anchor
    (HEAD + PRECOMPUTED % "where: &w {system: *w}", r"^config.yaml:5: an alias refers to a value that contains it \(a recursive YAML alias\)"),
    (HEAD + "  - &m {name: l, backend: lead, also: [*m]}\n", r"a recursive YAML alias"),
    # not YAML a config can be
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", r"^config.yaml: not valid YAML: nested too deeply"),
    (HEAD + "  - {name: l, backend: lead}\n---\nname: second\n",
     r"^config.yaml:6: not valid YAML: expected a single document in the stream, but found another document"),
    ("", r"^config.yaml: a config is a YAML mapping"),
    # an empty folder quietly meant the config's own folder
    (HEAD + "  - {name: l, backend: lead}\noutput: ''\n", r"""^config.yaml:6: output: is empty; give a folder \("\." for the config's own folder\)"""),
    (HEAD + "  - {name: l, backend: lead}\ncache: ' '\n", r"^config.yaml:6: cache: is empty; give true, false or a folder"),
    # a control character (a NUL from a bad copy) is refused by YAML's reader before parsing: one line, with its line
    (HEAD + "  - {name: l, backend: lead}\ndescription: a\x00b\n",
     r"^config.yaml:6: not valid YAML: control character U\+0000 at column 15 \(YAML allows no control characters"),
]


@pytest.mark.parametrize(("text", "expected"), YAML_TRAPS)
def test_yaml_traps_are_one_line(project, capsys, text, expected):
    line = validate(project, text, capsys)
    assert re.search(expected, line), line


def test_an_alias_bomb_is_refused_by_the_python_loader_too(project):
    from harness.config import load_config

    (project / "config.yaml").write_text(_bomb(12) + HEAD + PRECOMPUTED % "where: {system: *l11}", encoding="utf-8")
    with pytest.raises(HarnessError, match="YAML aliases expand this file to more than"):
        load_config(project / "config.yaml")  # 10**12 values: refused from the node graph, never built


def test_aliases_that_stay_small_are_fine(project, capsys):
    text = HEAD + "  - &lead {name: l, backend: lead, sentences: 2}\n  - {<<: *lead, name: l2}\n"
    (project / "config.yaml").write_text(text, encoding="utf-8")
    assert main(["validate", str(project / "config.yaml")]) == 0, capsys.readouterr().err


def test_plain_generate_options_and_template_variables_pass(project):
    text = HEAD + SEQ2SEQ % "{top_k: 50, early_stopping: true, bad_words_ids: [[5, 6]], exponential_decay_length_penalty: [10, 1.5]}"
    text += CAUSAL % "{enable_thinking: false, tools_hint: [a, b], options: {depth: 2}}"
    text += OPENAI % "extra_body: {chat_template_kwargs: {enable_thinking: false}, top_k: 20, guided_choice: [yes, no]}"
    (project / "config.yaml").write_text(text, encoding="utf-8")
    from harness.config import load_config

    summarizers = build_summarizers(load_config(project / "config.yaml"))
    assert summarizers[0].generate_kwargs()["bad_words_ids"] == [[5, 6]]
    assert summarizers[2].request_body("x")["chat_template_kwargs"] == {"enable_thinking": False}


def test_the_python_api_refuses_callables_and_objects():
    base = {"name": "d", "dataset": {"path": "x"}}
    for kwargs in ({"custom_generate": "x"}, {"top_k": print}, {"top_k": object()}):
        config = parse_config({**base, "models": [{"name": "b", "backend": "hf-seq2seq", "model": "x/y", "generate_kwargs": kwargs}]})
        with pytest.raises(HarnessError, match=r"^config: models\[0\].generate_kwargs"):
            build_summarizers(config)
    config = parse_config({**base, "models": [{"name": "o", "backend": "openai", "base_url": "http://h/v1", "model": "m",
                                               "extra_body": {"hook": print}}]})
    with pytest.raises(HarnessError, match=r"models\[0\].extra_body.hook: a callable is not plain data"):
        build_summarizers(config)
    with pytest.raises(HarnessError, match=r"^config: models\[0\].temperature: nan is not a finite number"):
        parse_config({**base, "models": [{"name": "o", "backend": "openai", "temperature": float("nan")}]})


# --- what validate finds without running a model -------------------------------------------------


def test_precomputed_problems_are_found_by_validate(project, capsys):
    assert validate(project, HEAD + "  - {name: sys, backend: precomputed, path: nowhere.jsonl}\n", capsys) == (
        "config.yaml:5: models[0].path: model 'sys': path: nowhere.jsonl does not exist (a JSONL file or a folder of <doc_id>.txt files)"
    )
    (project / "twice.jsonl").write_text('{"doc_id": "doc-0", "summary": "A."}\n{"doc_id": "doc-0", "summary": "B."}\n', encoding="utf-8")
    assert validate(project, HEAD + "  - {name: sys, backend: precomputed, path: twice.jsonl}\n", capsys) == (
        "twice.jsonl:2: document 'doc-0' already has a summary at twice.jsonl:1 (model 'sys'; narrow the rows with where:)"
    )
    assert validate(project, HEAD + PRECOMPUTED % "where: {system: pegasus}", capsys) == (
        "config.yaml:5: models[0].where: model 'sys': where (system: 'pegasus') matched 0 of 2 row(s) of outputs.jsonl "
        "(values seen: system: 'bart', 't5')"
    )
    assert "(values seen: sys: (absent))" in validate(project, HEAD + PRECOMPUTED % "where: {sys: bart}", capsys)
    (project / "empty.jsonl").write_text("\n", encoding="utf-8")
    assert validate(project, HEAD + "  - {name: sys, backend: precomputed, path: empty.jsonl}\n", capsys).endswith("path: empty.jsonl holds no rows")
    (project / "folder").mkdir()
    assert validate(project, HEAD + "  - {name: sys, backend: precomputed, path: folder}\n", capsys).endswith("path: folder holds no <doc_id>.txt files")
    (project / "folder" / "doc-0.txt").write_text("A.", encoding="utf-8")
    assert validate(project, HEAD + "  - {name: sys, backend: precomputed, path: folder, where: {system: a}}\n", capsys).endswith(
        "where: filters the rows of a JSONL file, but folder is a folder of .txt files"
    )


def test_a_where_that_matches_nothing_stops_the_run_once_not_per_document(project, capsys):
    line = validate(project, HEAD + PRECOMPUTED % "where: {system: [pegasus, t6]}", capsys, "run")
    assert line.startswith("config.yaml:5: models[0].where: model 'sys': where (system: ['pegasus', 't6']) matched 0 of 2 row(s)")
    assert not (project / "results" / "demo").exists()


def test_a_hub_model_that_is_not_cached_is_found_by_validate_saying_offline(project, capsys, monkeypatch):
    entry = "  - {name: b, backend: hf-seq2seq, model: org/not-cached-anywhere}\n"
    (project / "config.yaml").write_text(HEAD + entry, encoding="utf-8")
    # plain validate: the config is sound, and the missing checkpoint is said (exit 0); --strict makes it an error
    assert main(["validate", str(project / "config.yaml")]) == 0
    assert "not available here: " in capsys.readouterr().err
    line = validate(project, HEAD + entry, capsys, "validate", "--strict")
    assert line.startswith("config.yaml:5: models[0].model: model 'b' (org/not-cached-anywhere) is not available: it is not in the "
                           "Hugging Face cache and offline mode is on (--offline or HF_HUB_OFFLINE=1). To make it available")
    assert "the hub cannot be reached" not in validate(project, HEAD + entry, capsys, "run", "--offline")
    import harness.hub as hf

    monkeypatch.setattr(hf, "hub_offline", lambda: False)
    monkeypatch.setattr(hf, "hub_reachable", lambda: False)
    assert "is not in the Hugging Face cache and the hub cannot be reached" in validate(project, HEAD + entry, capsys, "validate", "--strict")


@pytest.mark.parametrize("file", ["config.json", "tokenizer_config.json"])
def test_a_model_folder_with_its_own_code_is_refused_not_run(project, capsys, file):
    evil = project / "evil"
    evil.mkdir()
    marker = project / "code-ran"
    (evil / "config.json").write_text(json.dumps({"model_type": "bart"}), encoding="utf-8")
    data = json.loads((evil / file).read_text()) if (evil / file).exists() else {}
    (evil / file).write_text(json.dumps({**data, "auto_map": {"AutoModelForSeq2SeqLM": "modeling_evil.Evil"}}), encoding="utf-8")
    (evil / "modeling_evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    entry = "  - {name: b, backend: hf-seq2seq, model: ./evil}\n"
    expected = (f"config.yaml:5: models[0].model: model 'b': evil's {file} names Python code of its own (auto_map: modeling_evil.Evil); "
                "the harness never runs code from model files (trust_remote_code stays off)")
    assert validate(project, HEAD + entry, capsys).startswith(expected)
    assert validate(project, HEAD + entry, capsys, "run").startswith(expected)
    assert not marker.exists()


def test_loading_refuses_custom_code_and_never_trusts_remote_code(project):
    from harness import hub as hf
    from harness.summarizers.hf_seq2seq import HFSeq2Seq

    assert hf.load_kwargs("org/model", None, "main")["trust_remote_code"] is False
    assert hf.load_kwargs("./tiny", project / "tiny", None)["trust_remote_code"] is False
    (project / "tiny" / "config.json").write_text(json.dumps({"model_type": "bart", "auto_map": {"AutoConfig": "x.Y"}}))
    model = HFSeq2Seq("b", HFSeq2Seq.Options(model="./tiny"), base_dir=project)
    with pytest.raises(HarnessError, match=r"names Python code of its own \(auto_map: x.Y\)"):
        model.load()  # the Python API, without prepare(): still refused before transformers sees the folder


def test_missing_local_model_folder_is_found_by_validate(project, capsys):
    line = validate(project, HEAD + "  - {name: b, backend: hf-causal, model: ./absent}\n", capsys)
    assert line.startswith("config.yaml:5: models[0].model: model 'b': folder absent does not exist")


@pytest.mark.parametrize(("value", "shown"), [("k\nX-Injected: 1", "newline"), ("kéy", "non-ASCII"), ("k\x1b[0m", "escape")])
def test_an_api_key_that_cannot_be_a_header_is_found_by_validate_and_never_shown(project, capsys, monkeypatch, value, shown):
    monkeypatch.setenv("ODD_KEY", value)
    line = validate(project, HEAD + OPENAI % "api_key_env: ODD_KEY", capsys)
    assert line == ("config.yaml:5: models[0].api_key_env: model 'o': environment variable ODD_KEY holds a control or non-ASCII "
                    "character, which an HTTP header cannot carry (the key is not shown); set it to the key alone"), shown
    assert value.strip() not in line


def test_an_unset_api_key_variable_is_found_by_validate(project, capsys, monkeypatch):
    monkeypatch.delenv("UNSET_KEY", raising=False)
    assert validate(project, HEAD + OPENAI % "api_key_env: UNSET_KEY", capsys, "validate", "--strict") == (
        "config.yaml:5: models[0].api_key_env: model 'o': environment variable UNSET_KEY is not set (it holds the API key for http://127.0.0.1:9/v1)"
    )


# --- extras: what a light install lacks is named, at validate time ---------------------------------


@pytest.mark.parametrize("backend", ["hf-seq2seq", "hf-causal"])
def test_a_backend_whose_extra_is_missing_names_the_extra(project, capsys, monkeypatch, backend):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if not installed
    line = validate(project, HEAD + f"  - {{name: b, backend: {backend}, model: ./tiny}}\n", capsys)
    assert line == (f"config.yaml:5: models[0].backend: model 'b': backend {backend} needs torch, which is not installed: "
                    'pip install "summarization-harness[hf]"')


def test_an_hf_dataset_without_the_datasets_extra_names_it(project, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)
    text = "name: demo\ndataset: {hf: {path: json, data_files: docs.jsonl}}\nmodels:\n  - {name: l, backend: lead}\n"
    assert validate(project, text, capsys) == (
        'config.yaml:2: dataset.hf: needs the datasets library, which is not installed: pip install "summarization-harness[datasets]"'
    )


def test_a_report_without_matplotlib_has_no_charts_and_says_so(project, capsys, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    from harness.report import charts

    charts._say_no_charts.cache_clear()
    (project / "config.yaml").write_text(HEAD + "  - {name: l, backend: lead}\n", encoding="utf-8")
    assert main(["run", str(project / "config.yaml")]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert 'reports have no charts: matplotlib is not installed (pip install "summarization-harness[charts]")' in err
    report = project / "results" / "demo"
    assert (report / "report.html").is_file() and "## Charts" not in (report / "report.md").read_text()


def test_the_cli_and_a_lead_run_import_no_heavy_library(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"name: light\ndataset: {{path: {ROOT / 'references'}}}\nmodels:\n  - {{name: lead-3, backend: lead}}\n"
                      f"  - {{name: sys, backend: precomputed, path: {ROOT / 'references' / 'precomputed' / 'syria-talks.jsonl'}, "
                      "where: {system: careful-editor}}\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys
        import harness.cli, harness.pytest_plugin
        early = sorted(m for m in ("torch", "transformers", "datasets", "matplotlib", "huggingface_hub", "httpx") if m in sys.modules)
        code = harness.cli.main(["run", {str(config)!r}, "--output", {str(tmp_path / 'out')!r}])
        late = sorted(m for m in ("torch", "transformers", "datasets", "huggingface_hub", "tokenizers") if m in sys.modules)
        print(code, early, late)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] in ("0 [] []", "1 [] []"), result.stdout + result.stderr


def test_shared_python_lists_cannot_bomb_an_option():
    bomb: list = ["a"] * 100
    for _ in range(4):
        bomb = [bomb] * 100  # 10**10 values once written out, five lists in memory
    config = parse_config({"name": "d", "dataset": {"path": "x"}, "models": [
        {"name": "o", "backend": "openai", "base_url": "http://h/v1", "model": "m", "extra_body": {"x": bomb}}]})
    with pytest.raises(HarnessError, match=r"models\[0\].extra_body.x: holds more than 100,000 values"):
        build_summarizers(config)


def test_a_config_large_as_written_is_not_blamed_on_aliases(project, capsys, monkeypatch):
    monkeypatch.setattr("harness.yamlsource.MAX_YAML_VALUES", 40)
    models = "".join(f"  - {{name: l{i}, backend: lead}}\n" for i in range(20))
    line = validate(project, HEAD + models, capsys)
    assert line == "config.yaml: holds more than 40 values; a config is settings, not data (put documents or outputs in a dataset file and give its path)"


def test_a_model_scorer_whose_model_is_missing_is_found_by_validate(project, capsys):
    path = project / "config.yaml"
    path.write_text(HEAD.replace("facts: {bootstrap: 0}}", "facts: {bootstrap: 0}, bertscore: {model: ./nope, layer: 3}}")
                    + "  - {name: l, backend: lead}\n", encoding="utf-8")  # fmt: skip
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"not available here: {path}:3: metrics.bertscore.model: model 'bertscore': folder" in err, err
    assert main(["validate", "--strict", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}:3: metrics.bertscore.model: model 'bertscore': folder")
