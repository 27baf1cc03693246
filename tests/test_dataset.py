"""The `dataset:` section: sources (JSONL, Hugging Face), fields, where, require_references, sample, limit."""

import json
import logging
import re
import time
from pathlib import Path

import pytest
from helpers import run_cli

from harness import store
from harness.config import load_config
from harness.dataset import load_dataset, sample
from harness.errors import HarnessError

MODELS = "models: [{name: lead-1, backend: lead, sentences: 1}]\n"


def rows(n: int = 6) -> list[dict]:
    """Records with other column names than the harness's: story_id, document, summary, headline, dataset."""
    out = []
    for i in range(n):
        summary = [] if i % 3 == 2 else ([{"text": f"Summary {i}.", "sources": ["X"]}] if i % 2 else f"Summary {i}.")
        out.append({
            "story_id": 100 + i,
            "document": f"Story {i} begins here. It has a second sentence. And a third one.",
            "summary": summary,
            "headline": f"Headline {i}",
            "dataset": "cnndm" if i % 2 == 0 else "xsum",
        })
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


FIELDS = "{id: story_id, article: document, references: summary, title: headline}"


def config_for(write_config, dataset: str, extra: str = "") -> Path:
    return write_config(f"name: t\ndataset:\n{dataset}{MODELS}{extra}")


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "docs.jsonl", rows())


@pytest.fixture()
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the datasets cache (what load_dataset prepares from local files) inside the test's folder."""
    import datasets

    folder = tmp_path / "hf-datasets-cache"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", folder)
    return folder


def load(path: Path):
    return load_dataset(load_config(path))


def test_fields_map_other_column_names_of_a_jsonl_file(write_config, docs):
    documents = load(config_for(write_config, f"  path: docs.jsonl\n  fields: {FIELDS}\n"))
    assert [d.doc_id for d in documents] == ["100", "101", "102", "103", "104", "105"]  # integer ids become text
    first, second, third = documents[:3]
    assert first.article.startswith("Story 0 begins") and first.title == "Headline 0"
    assert [r.text for r in first.references] == ["Summary 0."]  # a plain string column
    assert [(r.id, r.text) for r in second.references] == [("ref0", "Summary 1.")]  # a list of {text, sources}
    assert third.references == ()
    assert first.source == f"{docs}:1"


def test_where_keeps_matching_records_single_value_and_list(write_config, docs):
    cnndm = load(config_for(write_config, f"  path: docs.jsonl\n  fields: {FIELDS}\n  where: {{dataset: cnndm}}\n"))
    assert [d.doc_id for d in cnndm] == ["100", "102", "104"]
    both = load(config_for(write_config, f"  path: docs.jsonl\n  fields: {FIELDS}\n  where: {{dataset: [cnndm, xsum], story_id: [101, 104]}}\n"))
    assert [d.doc_id for d in both] == ["101", "104"]


def test_where_that_matches_nothing_names_the_values_seen(write_config, docs):
    path = config_for(write_config, f"  path: docs.jsonl\n  fields: {FIELDS}\n  where: {{dataset: cnn}}\n")
    with pytest.raises(HarnessError, match=r"config.yaml:5: dataset.where: no record of .*docs.jsonl matches \(values seen: dataset: 'cnndm', 'xsum'\)"):
        load(path)
    path = config_for(write_config, f"  path: docs.jsonl\n  fields: {FIELDS}\n  where: {{corpus: cnndm}}\n")
    with pytest.raises(HarnessError, match=r"dataset.where.corpus: no record of .*docs.jsonl has a column 'corpus'"):
        load(path)


def test_require_references_drops_documents_without_and_says_so(write_config, docs, caplog):
    caplog.set_level(logging.INFO, logger="harness.dataset")
    documents = load(config_for(write_config, f"  path: docs.jsonl\n  fields: {FIELDS}\n  require_references: true\n"))
    assert [d.doc_id for d in documents] == ["100", "101", "103", "104"]
    assert "4 of 6 document(s) have reference summaries; dropped 2" in caplog.text


def test_sample_is_seeded_ordered_and_capped(write_config, tmp_path):
    write_jsonl(tmp_path / "many.jsonl", rows(40))
    dataset = f"  path: many.jsonl\n  fields: {FIELDS}\n"

    def ids(text: str, extra: str = "") -> list[str]:
        return [d.doc_id for d in load(config_for(write_config, dataset + text, extra))]

    first = ids("  sample: 8\n  seed: 1\n")
    assert len(first) == 8 and first == ids("  sample: 8\n  seed: 1\n")
    assert first == sorted(first, key=int)  # source order is kept
    assert first != ids("  sample: 8\n  seed: 2\n")
    assert ids("  sample: 8\n", "seed: 1\n") == first  # dataset.seed defaults to the config's seed
    assert ids("  sample: 100\n") == [str(100 + i) for i in range(40)]
    # limit applies after sampling: the first N of the sample
    assert ids("  sample: 8\n  seed: 1\n  limit: 3\n") == first[:3]
    # require_references (and where) apply before sampling
    with_refs = ids("  require_references: true\n  sample: 5\n  seed: 1\n")
    assert len(with_refs) == 5 and all((int(i) - 100) % 3 != 2 for i in with_refs)


def test_sample_function_keeps_order():
    assert sample(list(range(10)), 3, seed=0) == sorted(sample(list(range(10)), 3, seed=0))
    assert sample([1, 2], 5, seed=0) == [1, 2]


def test_hf_json_builder_with_relative_data_files(write_config, docs, hf_cache):
    path = config_for(write_config, f"  hf: {{path: json, data_files: docs.jsonl}}\n  fields: {FIELDS}\n  where: {{dataset: xsum}}\n")
    config = load_config(path)
    assert config.dataset.hf.data_files == str(docs)  # resolved against the config's folder
    documents = load_dataset(config)
    assert [d.doc_id for d in documents] == ["101", "103", "105"]
    assert documents[0].source == "hf:json/train#1"  # data files give one split, named train
    assert [r.text for r in documents[0].references] == ["Summary 1."]


def test_hf_folder_saved_with_save_to_disk(write_config, tmp_path, hf_cache):
    import datasets

    records = [{"id": f"a{i}", "text": f"Article {i}. Second sentence.", "gold": f"Gold {i}."} for i in range(3)]
    datasets.Dataset.from_list(records).save_to_disk(str(tmp_path / "saved"))
    datasets.DatasetDict({"test": datasets.Dataset.from_list(records[:2]), "train": datasets.Dataset.from_list(records)}).save_to_disk(
        str(tmp_path / "saved-dict")
    )
    fields = "  fields: {article: text, references: gold}\n"
    documents = load(config_for(write_config, "  hf: {path: saved}\n" + fields))
    assert [d.doc_id for d in documents] == ["a0", "a1", "a2"]
    assert documents[2].source == f"hf:{tmp_path / 'saved'}#2" and documents[2].references[0].text == "Gold 2."
    assert len(load(config_for(write_config, "  hf: {path: ./saved-dict}\n" + fields))) == 2  # the test split
    assert len(load(config_for(write_config, "  hf: {path: ./saved-dict, split: train}\n" + fields))) == 3
    with pytest.raises(HarnessError, match=r"dataset.hf.split: dataset .*saved-dict has no split 'validation' \(splits: test, train\)"):
        load(config_for(write_config, "  hf: {path: ./saved-dict, split: validation}\n" + fields))


def test_hf_local_folder_of_parquet_files(write_config, tmp_path, hf_cache):
    import pandas as pd

    (tmp_path / "xsum-like").mkdir()
    frame = pd.DataFrame({
        "id": [7, 8, 9],
        "document": ["First article. More.", "Second article. More.", "Third article. More."],
        "summary": ["One.", "Two.", "Three."],
    })
    frame.to_parquet(tmp_path / "xsum-like" / "test-00000-of-00001.parquet")
    frame.iloc[:1].to_parquet(tmp_path / "xsum-like" / "train-00000-of-00001.parquet")
    documents = load(config_for(write_config, "  hf: {path: xsum-like}\n  fields: {article: document, references: summary}\n  limit: 2\n"))
    assert [(d.doc_id, d.article, d.references[0].text) for d in documents] == [
        ("7", "First article. More.", "One."),
        ("8", "Second article. More.", "Two."),
    ]
    assert documents[0].source == f"hf:{tmp_path / 'xsum-like'}/test#0"


def test_hf_records_are_checked_like_jsonl_records(write_config, tmp_path, hf_cache):
    write_jsonl(tmp_path / "blank.jsonl", [{"id": 1, "article": "Text."}, {"id": 2, "article": "  "}])
    with pytest.raises(HarnessError, match=r"^hf:json/train#1: document '2' has an empty article$"):
        load(config_for(write_config, "  hf: {path: json, data_files: blank.jsonl}\n"))
    write_jsonl(tmp_path / "twice.jsonl", [{"id": 1, "article": "Text."}, {"id": 1, "article": "Other."}])
    with pytest.raises(HarnessError, match=r"document id '1' appears twice \(hf:json/train#0 and hf:json/train#1\)"):
        load(config_for(write_config, "  hf: {path: json, data_files: twice.jsonl}\n"))


def test_uncached_hub_dataset_offline_is_one_line_saying_how_to_get_it(write_config):
    path = config_for(write_config, "  hf: {path: abisee/cnn_dailymail, name: 3.0.0}\n  fields: {references: highlights}\n")
    started = time.perf_counter()
    with pytest.raises(HarnessError) as caught:
        load(path)
    assert time.perf_counter() - started < 15
    message = str(caught.value)
    assert "\n" not in message and "config.yaml:3: dataset.hf.path: " in message
    assert "dataset abisee/cnn_dailymail (3.0.0, test) is not available: " in message
    assert "datasets.load_dataset('abisee/cnn_dailymail', '3.0.0', split='test')" in message
    assert "where the hub is reachable" in message and "point dataset.hf.path at local files" in message


def cache_as_if_downloaded(hf_cache: Path, tmp_path: Path, repo: str, config_name: str, split: str, rows: list[dict]) -> None:
    """Put a split into the datasets cache where an earlier online load_dataset(repo, config_name) leaves it.

    Nothing can be downloaded here, so the cache is made from a local parquet file and moved to the hub
    dataset's place (datasets' own layout: NAMESPACE___NAME/CONFIG/VERSION/HASH/{dataset_info.json, NAME-SPLIT.arrow}).
    """
    import datasets
    import pandas as pd

    source = tmp_path / "download.parquet"
    pd.DataFrame(rows).to_parquet(source)
    datasets.load_dataset("parquet", data_files={split: str(source)}, split=split)
    [prepared] = (hf_cache / "parquet").glob("*/0.0.0/*/dataset_info.json")
    namespace, name = repo.split("/")
    target = hf_cache / f"{namespace}___{name}" / config_name / "0.0.0" / prepared.parent.name
    target.mkdir(parents=True)
    info = json.loads(prepared.read_text())
    (target / "dataset_info.json").write_text(json.dumps({**info, "config_name": config_name, "dataset_name": name}))
    (prepared.parent / f"parquet-{split}.arrow").rename(target / f"{name}-{split}.arrow")


def test_hub_dataset_in_the_cache_loads_offline_with_field_mapping(write_config, tmp_path, hf_cache):
    rows = [{"article": "Talks ended. Aid was cut.", "highlights": "Talks ended.\nAid was cut.", "id": "a1"},
            {"article": "Rain fell. Rivers rose.", "highlights": "Rain fell.", "id": "a2"}]
    cache_as_if_downloaded(hf_cache, tmp_path, "abisee/cnn_dailymail", "3.0.0", "test", rows)
    path = config_for(write_config, "  hf: {path: abisee/cnn_dailymail, name: 3.0.0, split: test}\n  fields: {references: highlights}\n")
    documents = load(path)  # HF_HUB_OFFLINE=1 (conftest): this only works from the cache
    assert [(d.doc_id, d.article, [r.text for r in d.references]) for d in documents] == [
        ("a1", "Talks ended. Aid was cut.", ["Talks ended.\nAid was cut."]), ("a2", "Rain fell. Rivers rose.", ["Rain fell."])
    ]
    assert documents[0].source == "hf:abisee/cnn_dailymail/3.0.0/test#0"


def test_unreachable_hub_goes_to_the_cache_at_once(write_config, monkeypatch):
    """Without HF_HUB_OFFLINE but without a network, datasets would retry for ~25 s: offline mode skips that."""
    import datasets
    from huggingface_hub import constants

    import harness.dataset

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(harness.dataset, "_hub_reachable", lambda: False)
    started = time.perf_counter()
    with pytest.raises(HarnessError, match=r"dataset EdinburghNLP/xsum \(test\) is not available"):
        load(config_for(write_config, "  hf: {path: EdinburghNLP/xsum}\n"))
    assert time.perf_counter() - started < 15
    assert datasets.config.HF_HUB_OFFLINE is False and constants.HF_HUB_OFFLINE is False  # switched back


def test_missing_column_is_one_line_naming_dataset_column_and_columns(write_config, docs, hf_cache):
    with pytest.raises(HarnessError) as caught:
        load(config_for(write_config, "  hf: {path: json, data_files: docs.jsonl}\n  fields: {article: document, references: highlights}\n"))
    assert re.fullmatch(
        r".*config.yaml:4: dataset.fields.references: column 'highlights' is not in dataset json \(train\) "
        r"\(its columns: story_id, document, summary, headline, dataset\)",
        str(caught.value),
    ), caught.value
    with pytest.raises(HarnessError) as caught:
        load(config_for(write_config, "  path: docs.jsonl\n  fields: {article: text}\n"))
    assert re.fullmatch(
        r".*config.yaml:4: dataset.fields.article: column 'text' is not in .*docs.jsonl:1 "
        r"\(its columns: story_id, document, summary, headline, dataset\)",
        str(caught.value),
    ), caught.value


@pytest.mark.parametrize(
    "dataset, expected",
    [
        ("  path: docs.jsonl\n  fields: {id: story_id, artcle: document}\n", r"config.yaml:4: dataset.fields: unknown field 'artcle' \(did you mean 'article'\? map harness fields id, article, references, title, facts"),
        ("  path: docs.jsonl\n  hf: {path: json}\n", r"config.yaml:3: dataset: give exactly one of path .* and hf .*; both given"),
        ("  limit: 3\n", r"config.yaml:3: dataset: give exactly one of path .* and hf .*; neither given"),
        ("  hf: {path: json, split: test, splt: x}\n", r"config.yaml:3: dataset.hf.splt: unknown field; did you mean 'split'\?"),
        ("  path: docs.jsonl\n  sample: 0\n", r"config.yaml:4: dataset.sample: expected more than 0, got 0$"),
        ("  hf: {path: ./missing}\n", r"config.yaml:3: dataset.hf.path: .*missing: no such folder"),
    ],
)
def test_bad_dataset_sections_are_config_errors_with_file_and_line(write_config, docs, dataset, expected):
    with pytest.raises(HarnessError) as caught:
        load(config_for(write_config, dataset))
    assert "\n" not in str(caught.value)
    assert re.search(expected, str(caught.value)), caught.value


def test_fields_and_where_do_not_apply_to_document_folders(write_config, root):
    path = config_for(write_config, f"  path: {root / 'references'}\n  where: {{dataset: cnndm}}\n")
    with pytest.raises(HarnessError, match=r"config.yaml:4: dataset.where: applies to JSONL files and Hugging Face datasets"):
        load(path)


def test_cli_run_limit_applies_to_the_sample(write_config, tmp_path):
    write_jsonl(tmp_path / "many.jsonl", rows(12))
    path = config_for(
        write_config, f"  path: many.jsonl\n  fields: {FIELDS}\n  sample: 5\n  seed: 3\n",
        "metrics: {rouge: {bootstrap: 50}, facts: null, extractive: null}\nreport: false\ncache: false\n",
    )
    expected = [d.doc_id for d in load(path)][:2]
    result = run_cli("run", str(path), "--limit", "2", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert [d["doc_id"] for d in store.read_run(tmp_path / "out" / "t").documents] == expected
    good = run_cli("validate", str(path))
    assert good.returncode == 0 and f"5 document(s) from {tmp_path / 'many.jsonl'}" in " ".join(good.stdout.split()), good.stdout
    bad = config_for(write_config, f"  path: many.jsonl\n  fields: {FIELDS}\n  where: {{dataset: cnn}}\n")
    result = run_cli("validate", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "dataset.where: no record of" in result.stderr, result.stderr


@pytest.mark.parametrize(("config_file", "kept"), [("evaldata-cnndm.yaml", ["cnndm-a"]), ("evaldata-xsum.yaml", ["xsum-a"])])
def test_evaldata_configs_select_their_articles_with_references(root, tmp_path, config_file, kept):
    """The benchmark's configs on a small file shaped like ../shared/evaldata/articles.jsonl (not in a user's clone)."""
    reference = [{"text": "Talks ended.", "sources": ["FRANK:Gold"]}]
    records = [
        {"id": "cnndm-a", "dataset": "cnndm", "article": "Talks ended. Aid was cut.", "references": reference},
        {"id": "cnndm-b", "dataset": "cnndm", "article": "Rain fell.", "references": []},
        {"id": "xsum-a", "dataset": "xsum", "article": "Rivers rose. Roads closed.", "references": reference},
        {"id": "xsum-b", "dataset": "xsum", "article": "Snow fell.", "references": []},
    ]
    config = load_config(root / "configs" / config_file)
    dataset = config.dataset.model_copy(update={"path": write_jsonl(tmp_path / "articles.jsonl", records)})
    documents = load_dataset(config.updated(dataset=dataset))
    assert [d.doc_id for d in documents] == kept and documents[0].references[0].text == "Talks ended."
