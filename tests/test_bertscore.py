"""BERTScore: the same numbers as the bert-score package on the same (tiny, randomly initialised) encoder."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.documents import Document, Reference
from harness.errors import HarnessError
from harness.scoring import SCORERS
from harness.scoring.bertscore import BertScoreOptions, BertScorer, canonical, idf_weights, packaged_baseline

# Invented sentences (nothing copied from evaluation data): the tokenizers are trained on them.
TEXTS = [
    "The talks in Geneva ended on Friday without a deal.",
    "Rebels said 40 fighters were killed near the border on Tuesday.",
    "The envoy will return next month to try again, officials said.",
    "Aid trucks reached the town after a week of waiting at the checkpoint.",
    "Officials met for three hours but agreed on nothing at all.",
    "A ceasefire was announced and broken within a day.",
    "Thousands of families fled the city as shelling resumed.",
]


def build_encoder(folder: Path, kind: str = "roberta", seed: int = 0, layers: int = 3, labels: dict[int, str] | None = None) -> Path:
    """Save a tiny random BERT (WordPiece vocab) or RoBERTa (byte-level BPE) encoder and its tokenizer; with
    labels, a sequence classifier with those outputs (id2label) instead."""
    import torch
    import transformers
    from tokenizers import ByteLevelBPETokenizer, Tokenizer, models, pre_tokenizers, trainers
    from transformers import BertConfig, BertTokenizer, RobertaConfig, RobertaTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    shape = {"hidden_size": 32, "num_hidden_layers": layers, "num_attention_heads": 2, "intermediate_size": 64}
    if labels is not None:  # wide weights, so the classifier's probabilities differ visibly between inputs
        shape.update(id2label=labels, label2id={name: i for i, name in labels.items()}, initializer_range=0.3)
    if kind == "bert":
        trained = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        trained.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trained.train_from_iterator(TEXTS * 3, trainers.WordPieceTrainer(vocab_size=300, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
        tokenizer = BertTokenizer(vocab=trained.get_vocab(), model_max_length=128)
        model_class, config = "Bert", BertConfig(vocab_size=len(tokenizer), max_position_embeddings=130, pad_token_id=tokenizer.pad_token_id, **shape)
    else:
        trained = ByteLevelBPETokenizer()
        trained.train_from_iterator(TEXTS * 3, vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
        _, merges_file = trained.save_model(str(folder))
        merges = [tuple(line.split()) for line in Path(merges_file).read_text().splitlines()[1:] if line]
        tokenizer = RobertaTokenizer(vocab=trained.get_vocab(), merges=merges, model_max_length=128)
        model_class, config = (
            "Roberta",
            RobertaConfig(vocab_size=len(tokenizer), max_position_embeddings=132, pad_token_id=1, bos_token_id=0, eos_token_id=2, **shape),
        )
    torch.manual_seed(seed)
    model = getattr(transformers, model_class + ("ForSequenceClassification" if labels else "Model"))(config)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def encoders(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("encoders")
    return {kind: build_encoder(base / kind, kind) for kind in ("bert", "roberta")}


def documents() -> list[Document]:
    """Three documents: two references, one reference, three references."""
    return [
        Document("a", " ".join(TEXTS[:4]), (Reference("r1", TEXTS[0]), Reference("r2", TEXTS[2]))),
        Document("b", " ".join(TEXTS[2:6]), (Reference("r1", TEXTS[3]),)),
        Document("c", " ".join(TEXTS[3:]), (Reference("r1", TEXTS[4]), Reference("r2", TEXTS[5]), Reference("r3", TEXTS[6]))),
    ]


# (summary, document index): two models' summaries of each document, one of them copying a reference
ROWS = [(TEXTS[1], 0), (TEXTS[0] + " " + TEXTS[3], 0), (TEXTS[5], 1), (TEXTS[3], 1), (TEXTS[6] + " Talks failed.", 2), (TEXTS[2], 2)]


def ours(model: Path, **options) -> list:
    scorer = BertScorer(BertScoreOptions(model=str(model), layer=2, device="cpu", **options))
    docs = documents()
    results = scorer.score_batch([s for s, _ in ROWS], [docs[i] for _, i in ROWS])
    scorer.close()
    return results


def reference_package():
    """The bert-score package, the reference these tests compare against: skipped where it is not installed,
    except in CI (CI=1), where `.[dev]` installs it and its absence is a failure."""
    if os.environ.get("CI"):
        import bert_score

        return bert_score
    return pytest.importorskip("bert_score")


def theirs(model: Path, idf: bool = False, baseline_path: str | None = None) -> tuple[list[float], list[float], list[float]]:
    bert_score = reference_package()
    docs = documents()
    unique_refs = [ref.text for d in docs for ref in d.references]
    scorer = bert_score.BERTScorer(
        model_type=str(model), num_layers=2, idf=idf, idf_sents=unique_refs if idf else None, nthreads=0, device="cpu",
        rescale_with_baseline=baseline_path is not None, baseline_path=baseline_path, lang="en" if baseline_path else None,
    )  # fmt: skip
    p, r, f = scorer.score([s for s, _ in ROWS], [[ref.text for ref in docs[i].references] for _, i in ROWS])
    return p.tolist(), r.tolist(), f.tolist()


@pytest.mark.parametrize("kind", ["bert", "roberta"])
@pytest.mark.parametrize("idf", [False, True])
def test_identical_to_the_bert_score_package(encoders, kind, idf):
    results = ours(encoders[kind], idf=idf)
    p, r, f = theirs(encoders[kind], idf=idf)
    for result, *expected in zip(results, p, r, f):
        assert [result.precision, result.recall, result.f1] == pytest.approx(expected, abs=1e-6)
    # the numbers are not trivially equal: summaries differ, and a copied reference matches best
    assert len({round(x.f1, 6) for x in results}) == len(results)
    assert results[3].f1 == pytest.approx(1.0, abs=1e-6)


def test_rescaled_with_given_baseline_as_bert_score(encoders, tmp_path):
    baseline = (0.61, 0.62, 0.63)
    table = tmp_path / "baseline.tsv"  # bert-score's file format: one row per layer
    table.write_text("LAYER,P,R,F\n" + "".join(f"{layer},{baseline[0]},{baseline[1]},{baseline[2]}\n" for layer in range(4)))
    results = ours(encoders["roberta"], rescale_with_baseline=True, baseline=baseline)
    p, r, f = theirs(encoders["roberta"], baseline_path=str(table))
    for result, *expected in zip(results, p, r, f):
        assert [result.precision, result.recall, result.f1] == pytest.approx(expected, abs=1e-6)
    raw = ours(encoders["roberta"])
    assert results[0].f1 == pytest.approx((raw[0].f1 - 0.63) / (1 - 0.63), abs=1e-6)


def test_several_references_take_each_part_at_its_best_and_keep_every_reference(encoders):
    result = ours(encoders["bert"])[4]  # document c: three references
    assert set(result.per_reference) == {"r1", "r2", "r3"}
    for part in ("precision", "recall", "f1"):
        assert getattr(result, part) == max(scores[part] for scores in result.per_reference.values())


def test_batch_size_does_not_change_the_numbers(encoders):
    one = ours(encoders["roberta"], batch_size=1)
    many = ours(encoders["roberta"], batch_size=64)
    assert [x.f1 for x in one] == pytest.approx([x.f1 for x in many], abs=1e-6)


def test_empty_summary_scores_zero_and_no_reference_scores_none(encoders):
    scorer = BertScorer(BertScoreOptions(model=str(encoders["bert"]), layer=1, device="cpu"))
    doc = documents()[0]
    empty, missing = scorer.score_batch(["  ", TEXTS[0]], [doc, Document("x", "An article.")])
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
    assert missing is None
    assert scorer.score(TEXTS[0], Document("x", "An article.")) is None


def test_idf_as_bert_score_computes_it():
    idf, unseen = idf_weights([[0, 5, 6, 2], [0, 5, 7, 2], [0, 8, 2]])
    assert idf[0] == idf[2] == 0.0  # in every reference
    assert idf[5] == pytest.approx(math.log(4 / 3))
    assert idf[8] == pytest.approx(math.log(4 / 2))
    assert unseen == pytest.approx(math.log(4))


def test_layer_defaults_and_option_errors(encoders):
    assert BertScoreOptions().resolved_layer == 17  # bert-score's tuned layer for roberta-large
    assert BertScoreOptions(model="FacebookAI/roberta-large").resolved_layer == 17
    assert canonical("google-bert/bert-base-uncased") == "bert-base-uncased"
    with pytest.raises(ValueError, match="layer: no tuned default for model"):
        BertScoreOptions(model=str(encoders["bert"]))
    with pytest.raises(ValueError, match="only used with rescale_with_baseline"):
        BertScoreOptions(baseline=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="below 1"):
        BertScoreOptions(rescale_with_baseline=True, baseline=(0.1, 0.2, 1.0))
    with pytest.raises(ValueError, match="give baseline"):
        BertScoreOptions(model=str(encoders["bert"]), layer=2, rescale_with_baseline=True)
    scorer = BertScorer(BertScoreOptions(model=str(encoders["bert"]), layer=9, device="cpu"))
    with pytest.raises(HarnessError, match=r"layer 9 is past the encoder's 3 layers"):
        scorer.score(TEXTS[0], documents()[0])


def test_packaged_baseline_is_bert_scores_file():
    reference_package()
    values = packaged_baseline("roberta-large", 17)
    assert values is not None and all(0.8 < v < 0.9 for v in values)
    scorer = BertScorer(BertScoreOptions(rescale_with_baseline=True))
    assert scorer.baseline == values
    assert f"rescale:{values[0]:g}," in str(scorer.signature())


def test_registered_off_by_default_and_lazy():
    assert SCORERS["bertscore"] is BertScorer and not BertScorer.default_on
    code = "import sys, harness.scoring; assert 'torch' not in sys.modules and 'transformers' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_model_and_missing_extra_are_one_line(monkeypatch, tmp_path):
    scorer = BertScorer(BertScoreOptions(model="nobody/not-a-cached-encoder", layer=1))
    with pytest.raises(HarnessError) as missing:
        scorer.prepare()
    message = str(missing.value)
    assert "\n" not in message and "(nobody/not-a-cached-encoder) is not available" in message and "hf download nobody/not-a-cached-encoder" in message
    folder = BertScorer(BertScoreOptions(model=str(tmp_path / "nowhere"), layer=1))
    with pytest.raises(HarnessError, match="does not exist"):
        folder.prepare()
    monkeypatch.setattr("harness.scoring.hf.installed", lambda module: module != "torch")
    with pytest.raises(HarnessError, match=r'needs torch, which is not installed: pip install "summarization-harness\[hf\]"'):
        scorer.prepare()
