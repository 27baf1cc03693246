"""summarization-harness: evaluate summarization models with ROUGE and fact checks.

The library works without the CLI:

    from harness.config import load_config
    from harness.runner import run

    result = run(load_config("configs/default.yaml"))
"""

__version__ = "0.1.0"
