"""Chat models behind any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, TGI, hosted APIs).

Each article is one POST to {base_url}/chat/completions, a few in flight at once. Overload and outages
(429, 5xx, timeouts) are retried with backoff; a server that refuses connections is retried only briefly
(it is most likely not running); a request the server rejects for that article (context too long) fails
only that article; a rejected key, path or model name stops the model. `timeout` is a deadline for the
whole reply (connect, send, wait, read), however slowly the server trickles it.

The API key is read from an environment variable at run time and is never stored anywhere: every text
that leaves this module (errors, warnings, summaries, meta) has the key masked, whatever the server echoes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import queue
import random
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pydantic import Field, field_validator

from harness.errors import HarnessError, first_line
from harness.summarizers.base import OptionError, Summarizer, SummaryError, SummaryOutput
from harness.summarizers.plain import plain_mapping
from harness.summarizers.prompting import PromptOptions, clean_reply
from harness.summarizers.replicas import ReplicaPool, replica_urls

if TYPE_CHECKING:
    import httpx  # imported when a run needs it: `harness validate` and `harness models` stay quick

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ARTICLE_STATUSES = frozenset({400, 413, 422})  # this request is wrong (too long, bad value): others may pass
FATAL_STATUSES = frozenset({401, 403, 404})  # wrong key, path or model name: every request will fail
MAX_WAIT = 60.0
FAILURES_IN_A_ROW = 3  # articles that exhaust their retries one after another before the model stops
REFUSED_RETRIES, REFUSED_WAIT = 2, 0.5  # a refused connection: a server that is not running; do not wait long


# Request fields the backend fills from its own options: extra_body may not set them a second way.
_BODY_FIELDS = {
    "model": "is set by the model: option", "messages": "is built from prompt: and system_prompt:",
    "stream": "cannot be set: the backend reads whole replies",
    **{name: f"has its own option: set {name}: instead" for name in ("temperature", "top_p", "max_tokens", "seed", "stop")},
}
ExtraBody = plain_mapping(_BODY_FIELDS)


class OpenAIOptions(PromptOptions):
    """Options of the openai backend: where the server is, the prompt, and generation settings."""

    base_url: str | list[str] = Field(
        description="API root, e.g. http://localhost:8000/v1 (requests go to BASE_URL/chat/completions), "
        "or a list of replicas serving the same model: requests are spread over them"
    )
    model: str = Field(description="model name as the server knows it (vLLM: the served model; Ollama: llama3.2)")
    api_key_env: str | None = Field(None, description="environment variable holding the API key; unset sends no key")
    temperature: float = Field(0.0, ge=0, description="0 for (near-)deterministic summaries")
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int = Field(256, gt=0, description="longest reply; reasoning models spend part of it thinking")
    seed: int | None = Field(None, description="sampling seed, for servers that honour one")
    stop: list[str] | None = Field(None, description="stop sequences")
    extra_body: ExtraBody = Field(
        default_factory=dict, description="merged into the request, e.g. {chat_template_kwargs: {enable_thinking: false}}"
    )
    timeout: float = Field(120.0, gt=0, le=86_400, description="deadline in seconds for one whole reply (connect, wait and read), per attempt; at most a day")
    max_retries: int = Field(5, ge=0, description="retries of a request after overload, a server error or a timeout (refused connections: at most 2)")
    backoff: float = Field(1.0, ge=0, description="first wait between retries in seconds, doubled each time (at most 60)")
    concurrency: int = Field(4, gt=0, description="requests in flight at once")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | list[str]) -> str | list[str]:
        if isinstance(url, list):  # replicas: each one checked alike
            if not url:
                raise ValueError("list at least one URL")
            return [cls._http_url(one) for one in url]
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError("use an http:// or https:// URL such as http://localhost:8000/v1")
        return url.rstrip("/")

    @field_validator("model")
    @classmethod
    def _named(cls, model: str) -> str:
        if not model.strip():
            raise ValueError("is empty; give the model's name as the server knows it (vLLM: the served model)")
        return model

    @field_validator("stop", mode="before")
    @classmethod
    def _stop_list(cls, stop: Any) -> Any:
        return [stop] if isinstance(stop, str) else stop


@dataclass(frozen=True)
class _Outcome:
    output: SummaryOutput | SummaryError
    gave_up: bool = False  # retries exhausted: the server, not the article, is the likely problem


class _Stopped(Exception):
    """The generator was closed or failed: queued and retrying requests give up."""


class OpenAICompatible(Summarizer):
    """A chat model served over the OpenAI chat-completions API."""

    backend = "openai"
    description = "chat model behind an OpenAI-compatible server (vLLM, Ollama, llama.cpp, TGI, hosted APIs)"
    Options = OpenAIOptions
    options: OpenAIOptions
    execution_options = frozenset({"timeout", "max_retries", "backoff", "concurrency"})

    @property
    def url(self) -> str:
        """The chat-completions endpoint (of the first replica, when there are several)."""
        return f"{replica_urls(self.options.base_url)[0]}/chat/completions"

    def fingerprint(self) -> dict[str, Any]:
        """Server, model name, prompt and generation settings; not which variable holds the key."""
        fingerprint = super().fingerprint()
        fingerprint["options"].pop("api_key_env")  # the same model answers whoever pays
        if isinstance(self.options.base_url, list):  # replicas serve one model: which ones answer is not part of it
            fingerprint["options"].pop("base_url")
        return fingerprint

    @functools.cached_property
    def replicas(self) -> ReplicaPool:
        """The servers requests go to (one, or several replicas), and which of them refuse connections."""
        import httpx

        return ReplicaPool(replica_urls(self.options.base_url), refused=(httpx.ConnectError,))

    def check(self) -> None:
        """A key that is set must fit in an HTTP header (its absence is prepare()'s to report: a cached run needs none)."""
        super().check()
        self._api_key(required=False)

    def prepare(self) -> None:
        """Check the API key is there and usable; the server is not contacted until the run needs it."""
        super().prepare()
        self._api_key()

    def _api_key(self, required: bool = True) -> str | None:
        variable = self.options.api_key_env
        if variable is None:
            return None
        key = os.environ.get(variable, "").strip()
        if not key:
            if not required:
                return None
            raise OptionError(
                f"model '{self.name}': environment variable {variable} is not set (it holds the API key for {self.options.base_url})",
                "api_key_env",
            )
        if not key.isascii() or not key.isprintable():
            # httpx would fail with the key in its message (or send a header split by a newline): never show it.
            raise OptionError(
                f"model '{self.name}': environment variable {variable} holds a control or non-ASCII character, which an "
                "HTTP header cannot carry (the key is not shown); set it to the key alone",
                "api_key_env",
            )
        return key

    def request_body(self, article: str) -> dict[str, Any]:
        """The chat-completions request for one article (settings left unset are not sent)."""
        body: dict[str, Any] = {
            "model": self.options.model,
            "messages": self.options.messages(article),
            "temperature": self.options.temperature,
            "max_tokens": self.options.max_tokens,
        }
        optional = {"top_p": self.options.top_p, "seed": self.options.seed, "stop": self.options.stop}
        body.update({name: value for name, value in optional.items() if value is not None})
        return {**body, **self.options.extra_body}

    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Send up to `concurrency` requests at a time; yield each article as its reply arrives."""
        from harness.summarizers.deadline import deadline_client

        key = self._api_key()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        stop = threading.Event()
        client = deadline_client(self.options.timeout, headers, self.options.concurrency)
        jobs: queue.SimpleQueue[int] = queue.SimpleQueue()
        done: queue.SimpleQueue[tuple[int, _Outcome | Exception]] = queue.SimpleQueue()
        for index in range(len(articles)):
            jobs.put(index)

        def work() -> None:
            while not stop.is_set():
                try:
                    index = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = self._summarize_one(client, articles[index], key, stop)
                    done.put((index, dataclasses.replace(outcome, output=_masked(outcome.output, key))))
                except _Stopped:  # whoever set stop has put the error that matters, or is gone
                    return
                except Exception as error:  # noqa: BLE001 (re-raised by the generator: the model stops)
                    stop.set()  # at once, so no other worker sends another doomed request
                    done.put((index, _masked_error(error, key)))

        # Daemon threads, not a ThreadPoolExecutor: its threads are joined at exit, so Ctrl-C would wait
        # for every reply in flight (up to `timeout`), and closing the client does not wake a blocked read.
        for number in range(min(self.options.concurrency, len(articles))):
            threading.Thread(target=work, name=f"openai-{self.name}-{number}", daemon=True).start()
        try:
            gave_up_in_a_row = 0
            for _ in range(len(articles)):
                index, outcome = done.get()  # results come back here, so the caller's thread does the yielding
                if isinstance(outcome, Exception):
                    raise outcome  # a HarnessError (wrong key, path or model) stops the model
                gave_up_in_a_row = gave_up_in_a_row + 1 if outcome.gave_up else 0
                if gave_up_in_a_row >= FAILURES_IN_A_ROW:  # a dead server should not cost hours of retries
                    problem = getattr(outcome.output, "message", "")
                    raise HarnessError(f"model '{self.name}': server at {self.options.base_url} kept failing: {problem}")
                yield index, outcome.output
        finally:
            # Reached on success, on a raise and when the caller drops the generator: queued articles are
            # not sent and retries stop; a reply still in flight is dropped when it comes.
            stop.set()
            client.close()

    def _summarize_one(self, client: httpx.Client, article: str, key: str | None, stop: threading.Event) -> _Outcome:
        import httpx

        from harness.summarizers.deadline import deadline

        started = time.perf_counter()
        body = self.request_body(article)
        attempt = refused = 0
        while True:
            if stop.is_set():
                raise _Stopped
            attempt += 1
            retry_after = None
            try:
                with deadline(self.options.timeout), self.replicas.lease() as root:
                    response = client.post(f"{root}/chat/completions", json=body)
            except httpx.TimeoutException:
                problem = f"no complete reply within {self.options.timeout:g} s"
            except httpx.ConnectError as error:  # refused, unknown host, TLS: most likely no server there
                refused += 1
                problem = _hide(f"{type(error).__name__}: {first_line(error)}", key)
                if refused > min(REFUSED_RETRIES, self.options.max_retries):
                    raise HarnessError(self._cannot_connect(problem)) from None
            except httpx.RequestError as error:  # reset, protocol or decoding trouble
                problem = _hide(f"{type(error).__name__}: {first_line(error)}", key)
            else:
                if response.status_code == 200:
                    return _Outcome(self.parse(response.content, time.perf_counter() - started, attempt))
                status, message = response.status_code, _hide(server_message(response), key)
                problem = f"HTTP {status}: {message}"
                if status in FATAL_STATUSES:
                    raise HarnessError(f"model '{self.name}': {self.options.base_url} answered {problem}")
                if status in ARTICLE_STATUSES:
                    return _Outcome(SummaryError(problem, time.perf_counter() - started))
                if status not in RETRY_STATUSES:
                    return _Outcome(SummaryError(problem, time.perf_counter() - started), gave_up=True)
                retry_after = _retry_after(response)
            if stop.is_set():  # the model stopped while this request was out: no retry, and no warning
                raise _Stopped
            if attempt > self.options.max_retries:
                message = f"gave up after {attempt} attempt(s): {problem}"
                return _Outcome(SummaryError(message, time.perf_counter() - started), gave_up=True)
            wait = min(self._wait(attempt, retry_after), REFUSED_WAIT) if refused else self._wait(attempt, retry_after)
            log.warning("%s: %s from %s (attempt %d of %d); retrying in %.2f s",
                        self.name, problem, self.url, attempt, self.options.max_retries + 1, wait)
            if stop.wait(wait):
                raise _Stopped

    def _cannot_connect(self, problem: str) -> str:
        port = urlparse(replica_urls(self.options.base_url)[0]).port or 8000
        return (
            f"model '{self.name}': cannot connect to {self.options.base_url} ({problem}); is the server running? "
            f"To try this config without one, start the fake server: python -m harness.fake_server --port {port}"
        )

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:  # the server knows best when it has room again
            return min(retry_after, MAX_WAIT)
        # Jitter keeps concurrent requests from retrying in lockstep.
        return min(self.options.backoff * 2 ** (attempt - 1) * random.uniform(0.75, 1.25), MAX_WAIT)

    def parse(self, content: bytes, seconds: float, attempts: int) -> SummaryOutput | SummaryError:
        """Turn a 200 reply into the cleaned summary, or an error saying what the reply lacked."""
        try:
            data = json.loads(content)
        except ValueError:
            return SummaryError(f"the server's reply is not JSON: {_first_line(content.decode('utf-8', 'replace'))}", seconds)
        choices = data.get("choices") if isinstance(data, dict) else None
        choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else None
        message = choice.get("message") if choice else None
        if not isinstance(message, dict):
            return SummaryError("the server's reply has no choices[0].message", seconds)
        finish_reason = _text(choice.get("finish_reason"))
        text = message.get("content")
        reasoning = message.get("reasoning_content") or message.get("reasoning")  # vLLM/Ollama reasoning parsers
        if not isinstance(text, str) or not text.strip():
            if reasoning:
                return SummaryError(f"the reply was only reasoning (finish_reason {finish_reason}); raise max_tokens or disable thinking", seconds)
            return SummaryError(f"the reply has no choices[0].message.content (finish_reason {finish_reason})", seconds)
        cleaned = clean_reply(text, self.options.strip_thinking, self.options.strip_preamble)
        if cleaned.unfinished_thinking:
            return SummaryError(f"the reply ended inside its reasoning (finish_reason {finish_reason}); raise max_tokens or disable thinking", seconds)
        if not cleaned.summary:
            return SummaryError(f"nothing is left of the reply once reasoning and preamble are removed: {_first_line(text)}", seconds)
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        meta = {"finish_reason": finish_reason, "attempts": attempts, "served_model": _text(data.get("model")), **cleaned.meta()}
        if reasoning:
            meta["server_reasoning"] = True  # the server split the thinking off before it reached us
        return SummaryOutput(
            summary=cleaned.summary,
            seconds=seconds,
            tokens_in=_count(usage.get("prompt_tokens")),
            tokens_out=_count(usage.get("completion_tokens")),
            meta=meta,
        )


def server_message(response: httpx.Response) -> str:
    """The error message of a failed reply, from any of the error shapes servers use."""
    try:
        data = response.json()
    except ValueError:
        return _first_line(response.text) or response.reason_phrase
    if isinstance(data, dict):
        error = data.get("error")
        for found in (error.get("message") if isinstance(error, dict) else error, data.get("message"), data.get("detail")):
            if isinstance(found, str) and found.strip():
                return _first_line(found)
    return _first_line(response.text) or response.reason_phrase


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:  # absent, or an HTTP date: fall back to our own backoff
        return None


def _text(value: Any) -> str | None:
    # Only text is kept from the server's bookkeeping fields: a nested value could carry anything.
    return value[:200] if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_line(text: str, limit: int = 300) -> str:
    lines = text.strip().splitlines()
    line = lines[0].strip() if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _hide(text: str, key: str | None) -> str:
    # Some APIs quote the rejected key back in their 401 message; proxies echo request headers in error pages.
    return text.replace(key, "***") if key and isinstance(text, str) else text


def _masked(output: SummaryOutput | SummaryError, key: str | None) -> SummaryOutput | SummaryError:
    """The output with the key masked in every text it carries (a server may echo it anywhere)."""
    if not key:
        return output
    if isinstance(output, SummaryError):
        return dataclasses.replace(output, message=_hide(output.message, key))
    meta = {name: _hide(value, key) for name, value in output.meta.items()} if output.meta else output.meta
    return dataclasses.replace(output, summary=_hide(output.summary, key), meta=meta)


def _masked_error(error: Exception, key: str | None) -> Exception:
    """The error, or, if its text or any error chained to it shows the key, a one-line HarnessError without it
    (the runner writes an unexpected error's traceback into run.json)."""
    chained: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chained:
        chained.append(current)
        current = current.__cause__ or current.__context__
    if not key or not any(key in str(link) or key in repr(link.args) for link in chained):
        return error
    return HarnessError(_hide(f"{type(error).__name__}: {first_line(error)}", key))
