"""A fake OpenAI-compatible chat server: try an `openai` config, and test the backend, without a GPU.

    python -m harness.fake_server --port 8000        # then run configs/openai.yaml

It answers POST /v1/chat/completions with the first sentences of the article in the prompt (a lead-k
summary, so ROUGE and the fact checker give real scores), and can misbehave on demand: fail the first
requests (--fail-first, --fail-status), demand a key (--api-key), reject long prompts
(--max-prompt-chars), reply slowly (--delay) or wrap replies in reasoning and a preamble (--think).
--fault MODE (for the first --fault-first N chat requests, default all) misbehaves as broken servers and
proxies do: trickle the reply body or headers one byte every --trickle-interval seconds, stall, reset the
connection, answer with bytes that are not HTTP, or echo the request's headers (the API key among them)
in an HTML 200, a 500, a 401 or inside a well-formed reply.
GET /v1/models lists the model; GET /stats counts chat requests and the most that were in flight.
Standard library only (http.server); not a server for real traffic.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.text import split_sentences

ARTICLE_MARK = "Article:\n"
THINK_PREFIX = "<think>some reasoning</think>\n\nHere is a summary of the article:\n\n"
FAULTS = ("trickle", "trickle-headers", "stall", "reset", "garbage", "echo-html", "echo-error", "echo-401", "echo-reply")


class FakeState:
    """Counters shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.chat_requests = self.in_flight = self.max_in_flight = 0


def lead(messages: list[dict[str, Any]], sentences: int) -> str:
    """The first sentences of the article in the last user message."""
    user = [m.get("content") or "" for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    text = user[-1] if user else ""
    article = text.rsplit(ARTICLE_MARK, 1)[-1]
    return " ".join(split_sentences(article)[:sentences])


def _error(message: str, kind: str, code: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class Handler(BaseHTTPRequestHandler):
    """One request; the options and counters hang off the server."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this, 40 ms of delayed ACK each
    server: Any

    def _send(self, status: int, payload: dict[str, Any] | str, headers: dict[str, str] | None = None, trickle: bool = False) -> None:
        body = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if isinstance(payload, str) else "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if trickle:
            self._trickle(body)
        else:
            self.wfile.write(body)

    def _trickle(self, data: bytes) -> None:
        """Send data one byte at a time, --trickle-interval apart (until the client hangs up)."""
        try:
            for index in range(len(data)):
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
                time.sleep(self.server.args.trickle_interval)
        except OSError:  # the client gave up: that is the point
            self.close_connection = True

    def _fault(self, fault: str) -> bool:
        """Misbehave as --fault says; True when the request is answered (or dropped) that way."""
        echoed = "; ".join(f"{name}: {value}" for name, value in self.headers.items())
        if fault == "stall":
            time.sleep(3600)
        elif fault == "reset":
            self.close_connection = True
            self.connection.shutdown(2)
        elif fault == "garbage":
            self.close_connection = True
            self.wfile.write(b"this is not HTTP\r\n\r\n")
        elif fault == "trickle-headers":
            body = json.dumps(_error("too slow", "server_error", 500)).encode()
            head = f"HTTP/1.1 500 Slow\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nX-Padding: {'x' * 200}\r\n\r\n"
            self._trickle(head.encode() + body)
        elif fault == "echo-html":
            self._send(200, f"<html><body>Proxy page. Your request headers: {echoed}</body></html>")
        elif fault == "echo-error":
            self._send(500, _error(f"upstream failed for request with headers {echoed}", "server_error", 500))
        elif fault == "echo-401":
            self._send(401, _error(f"Incorrect API key provided: {self.headers.get('Authorization')}.", "invalid_request_error", 401))
        else:
            return False  # trickle and echo-reply shape a normal reply
        return True

    def _authorized(self) -> bool:
        key = self.server.args.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._send(401, _error("Incorrect API key provided.", "invalid_request_error", 401))
        return False

    def do_GET(self) -> None:
        state, args = self.server.state, self.server.args
        if self.path == "/stats":
            with state.lock:
                self._send(200, {"chat_requests": state.chat_requests, "max_in_flight": state.max_in_flight})
        elif self.path != "/v1/models":
            self._send(404, _error(f"no route {self.path}", "not_found_error", 404))
        elif self._authorized():
            self._send(200, {"object": "list", "data": [{"id": args.model or "fake-model", "object": "model", "owned_by": "fake"}]})

    def do_POST(self) -> None:
        # Read the whole body first: on a kept-alive connection, leftover bytes would corrupt the next request.
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/v1/chat/completions":
            self._send(404, _error(f"no route {self.path}", "not_found_error", 404))
            return
        state = self.server.state
        with state.lock:
            state.chat_requests += 1
            number = state.chat_requests
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            time.sleep(self.server.args.delay)
            self._chat(raw, number)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _chat(self, raw: bytes, number: int) -> None:
        args = self.server.args
        fault = args.fault if args.fault_first is None or number <= args.fault_first else None
        if fault and self._fault(fault):
            return
        if not self._authorized():
            return
        if number <= args.fail_first:
            headers = {"Retry-After": "0"} if args.fail_status == 429 else None
            self._send(args.fail_status, _error(f"fake failure {number} of {args.fail_first}", "server_error", args.fail_status), headers)
            return
        try:
            request = json.loads(raw)
            messages = request["messages"]
        except (ValueError, KeyError, TypeError):
            self._send(400, _error("the body must be JSON with a messages list", "invalid_request_error", 400))
            return
        model = request.get("model") or "fake-model"
        if args.model and model != args.model:
            self._send(404, _error(f"The model `{model}` does not exist.", "NotFoundError", 404))
            return
        prompt = "\n".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))
        if args.max_prompt_chars is not None and len(prompt) > args.max_prompt_chars:
            message = (f"This model's maximum context length is {args.max_prompt_chars} tokens. However, you requested "
                       f"{len(prompt)} tokens in the messages. Please reduce the length of the messages.")
            self._send(400, _error(message, "BadRequestError", 400))
            return
        reply = (THINK_PREFIX if args.think else "") + lead(messages, args.sentences)
        words, finish = reply.split(" "), "stop"
        limit = request.get("max_tokens")
        if isinstance(limit, int) and len(words) > limit:  # a word stands in for a token
            reply, finish = " ".join(words[:limit]), "length"
        if fault == "echo-reply":  # a well-formed reply that quotes the request's headers everywhere
            echoed = "; ".join(f"{name}: {value}" for name, value in self.headers.items())
            reply, model, finish = f"{reply} (headers: {echoed})", echoed, echoed
        completion, prompt_tokens = len(reply.split()), len(prompt.split())
        self._send(200, {
            "id": f"chatcmpl-fake-{number}", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion, "total_tokens": prompt_tokens + completion},
        }, trickle=fault == "trickle")


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted; prints `listening on URL` once connections are accepted."""
    parser = argparse.ArgumentParser(prog="python -m harness.fake_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--model", help="the only model name served (default: any name, echoed back)")
    parser.add_argument("--sentences", type=int, default=3, help="sentences in each reply")
    parser.add_argument("--think", action="store_true", help="wrap replies in <think> reasoning and a 'Here is a summary' lead-in")
    parser.add_argument("--fail-first", type=int, default=0, metavar="N", help="answer the first N chat requests with --fail-status")
    parser.add_argument("--fail-status", type=int, default=503)
    parser.add_argument("--api-key", help="require Authorization: Bearer KEY")
    parser.add_argument("--max-prompt-chars", type=int, metavar="N", help="reject longer prompts with 400, as vLLM does")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="wait before each chat reply")
    parser.add_argument("--fault", choices=FAULTS, help="misbehave on chat requests (see above)")
    parser.add_argument("--fault-first", type=int, metavar="N", help="only the first N chat requests misbehave (default: all)")
    parser.add_argument("--trickle-interval", type=float, default=0.5, metavar="SECONDS", help="seconds between trickled bytes")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), Handler)  # bound and listening once constructed
    server.daemon_threads = True  # a stalled or trickling handler must not keep the server from exiting
    server.args, server.state = args, FakeState()  # type: ignore[attr-defined]
    print(f"listening on http://{args.host}:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
