"""Small randomly initialised models, built offline, for tests and benchmarks of the real loading path.

Nothing here is downloaded: a byte-level BPE tokenizer is trained with `tokenizers` on the given text
and a BART (encoder-decoder) or Llama (decoder-only chat) model is created from a config with random
weights, then both are saved with save_pretrained so that AutoTokenizer / AutoModelFor... load them
exactly as a hub checkpoint.
Saved files are not portable between transformers 4 and 5, so they are built at test time, not shipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # BART's ids 0..4

# Model sizes by name: "tiny" for unit tests, "bart-base" matches facebook/bart-base's shapes (~140M parameters).
SIZES = {
    "tiny": dict(d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
                 encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=256, vocab_size=None),
    "bart-base": dict(d_model=768, encoder_layers=6, decoder_layers=6, encoder_attention_heads=12, decoder_attention_heads=12,
                      encoder_ffn_dim=3072, decoder_ffn_dim=3072, max_position_embeddings=1024, vocab_size=50265),
}


CHAT_TOKENS = ["<|im_start|>", "<|im_end|>"]
# ChatML, as Qwen and many instruction models use it; the assistant turn is opened for generation.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def train_tokenizer(texts: Iterable[str], vocab_size: int = 500, model_max_length: int = 256, chat: bool = False):
    """A byte-level BPE tokenizer with BART's special tokens, trained on texts, as a transformers fast tokenizer.

    With chat=True it is a decoder-only model's tokenizer: ChatML tokens and template, no tokens added
    around a text (the template places them), and <|im_end|> ends a reply.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = SPECIAL_TOKENS + (CHAT_TOKENS if chat else [])
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(list(texts), trainer)
    if chat:
        return PreTrainedTokenizerFast(
            tokenizer_object=tokenizer, bos_token="<s>", eos_token="<|im_end|>", pad_token="<pad>", unk_token="<unk>",
            additional_special_tokens=CHAT_TOKENS, model_max_length=model_max_length, chat_template=CHAT_TEMPLATE,
        )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>",
        mask_token="<mask>", model_max_length=model_max_length,
    )


def build_seq2seq(folder: str | Path, texts: Iterable[str], size: str = "tiny", seed: int = 0, vocab_size: int = 500) -> Path:
    """Save a random BART of the named size and a tokenizer trained on texts into folder; return the folder."""
    from transformers import BartConfig, BartForConditionalGeneration

    shape = dict(SIZES[size])
    tokenizer = train_tokenizer(texts, vocab_size=vocab_size, model_max_length=shape["max_position_embeddings"])
    # A model's vocabulary may be larger than its tokenizer's (as bart-base's is): keep the real output-layer size.
    shape["vocab_size"] = max(shape["vocab_size"] or 0, len(tokenizer))
    config = BartConfig(**shape, pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0)
    return _save_random(BartForConditionalGeneration, config, tokenizer, folder, seed)


# Decoder-only shapes: "tiny" for unit tests, "small" (~110M parameters, 12 layers of 768) for benchmarks.
CAUSAL_SIZES = {
    "tiny": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2},
    "small": {"hidden_size": 768, "intermediate_size": 2048, "num_hidden_layers": 12, "num_attention_heads": 12, "num_key_value_heads": 4},
}


def build_causal(
    folder: str | Path, texts: Iterable[str], seed: int = 0, vocab_size: int = 500, max_positions: int = 512,
    chat: bool = True, size: str = "tiny",
) -> Path:
    """Save a random Llama of the named size and a tokenizer trained on texts (with a ChatML template when chat)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = train_tokenizer(texts, vocab_size=vocab_size, model_max_length=max_positions, chat=chat)
    config = LlamaConfig(
        vocab_size=len(tokenizer), max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, tie_word_embeddings=True,
        initializer_range=0.5 if size == "tiny" else 0.02,  # tiny: wide weights, so greedy output is varied text
        **CAUSAL_SIZES[size],
    )
    return _save_random(LlamaForCausalLM, config, tokenizer, folder, seed)


def _save_random(model_class, config, tokenizer, folder: str | Path, seed: int) -> Path:
    """Create model_class from config with seeded random weights and save it with tokenizer, as a checkpoint."""
    import torch

    torch.manual_seed(seed)
    model = model_class(config)
    folder = Path(folder)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder
