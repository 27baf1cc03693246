"""One run, four kinds of model: extractive, an in-process chat model, a precomputed file and a server."""

import json

from harness import store
from harness.config import load_config
from harness.runner import run


def test_one_result_set_scores_all_four_kinds(write_config, jsonl_dataset, tiny_causal, fake_server, tmp_path):
    dataset = jsonl_dataset(3)
    documents = [json.loads(line) for line in dataset.read_text().splitlines()]
    outputs = tmp_path / "outputs.jsonl"
    outputs.write_text("".join(json.dumps({"doc_id": d["id"], "summary": d["references"][0]}) + "\n" for d in documents))
    server = fake_server("--think")
    path = write_config(
        f"name: mixed\ndataset: {{path: {dataset}}}\noutput: {tmp_path / 'out'}\nmodels:\n"
        "  - {name: lead-3, backend: lead, sentences: 3}\n"
        f"  - {{name: tiny-chat, backend: hf-causal, model: {tiny_causal}, max_new_tokens: 16, batch_size: 2}}\n"
        f"  - {{name: editor, backend: precomputed, path: {outputs}}}\n"
        f"  - {{name: served, backend: openai, base_url: {server.url}, model: fake-model, concurrency: 2}}\n"
        "metrics: {rouge: {bootstrap: 100}, facts: {bootstrap: 100}}\n"
    )
    result = run(load_config(path))
    assert result.run["status"] == "ok" and result.failures == []
    written = store.read_run(result.run_dir)
    models = ["lead-3", "tiny-chat", "editor", "served"]
    assert list(written.summary["models"]) == models
    assert {(row["model"], row["doc_id"]) for row in written.scores} == {(m, d["id"]) for m in models for d in documents}
    for row in written.scores:
        assert row["summary"] and "rouge" in row and "facts" in row and "coverage" in row["extractive"], row["model"]
    for model in models:
        entry = written.summary["models"][model]
        assert entry["failed"] == 0 and entry["rouge"]["rouge1"]["fmeasure"]["mean"] is not None and entry["facts"]["n"] == 3
    by_model = {model: [g for g in written.generations if g["model"] == model] for model in models}
    assert all(g["meta"]["stripped_thinking"] and g["tokens_out"] for g in by_model["served"])  # the server's <think> is gone
    for model in ("tiny-chat", "served"):
        assert written.summary["models"][model]["tokens_out"] == sum(g["tokens_out"] for g in by_model[model]) > 0
    assert written.summary["models"]["lead-3"]["tokens_out"] is None  # extractive models count no tokens
    assert [g["summary"] for g in by_model["served"]] == [g["summary"] for g in by_model["lead-3"]]  # it serves lead-3
    assert [g["summary"] for g in by_model["editor"]] == [d["references"][0] for d in documents]
    editor = written.summary["models"]["editor"]["rouge"]["rouge1"]["fmeasure"]["mean"]
    assert editor == 1.0  # the editor wrote the first reference, and ROUGE takes the best reference
    report = (result.run_dir / "report.html").read_text()
    assert all(f">{model}<" in report for model in models)
