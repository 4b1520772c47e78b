"""Thin helpers for notebooks: ``chat(...) -> str`` and ``stream_chat(...)`` yielding text pieces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai

from aidojo.llm.client import client as make_client
from aidojo.llm.config import load_settings
from aidojo.llm.errors import content_filtered, explain

Messages = list[dict[str, Any]]


def to_messages(prompt_or_messages: str | Messages, system: str | None = None) -> Messages:
    """A prompt string or a message list, with an optional system message in front."""
    if isinstance(prompt_or_messages, str):
        messages: Messages = [{"role": "user", "content": prompt_or_messages}]
    else:
        messages = [dict(m) for m in prompt_or_messages]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return messages


def _request(prompt_or_messages, system, model, json, client, options) -> tuple[openai.OpenAI, dict]:
    settings = load_settings()
    llm = client or make_client(settings)
    kwargs: dict[str, Any] = {"model": settings.resolve_model(model), "messages": to_messages(prompt_or_messages, system)}
    if json:
        kwargs["response_format"] = {"type": "json_object"}
    retries = options.pop("max_retries", None)
    if retries is not None:  # per call: the SDK takes it on the client, not on create()
        llm = llm.with_options(max_retries=retries)
    kwargs.update({k: v for k, v in options.items() if v is not None})
    return llm, kwargs


def chat(prompt_or_messages: str | Messages, *, system: str | None = None, model: str | None = None, json: bool = False,
         client: openai.OpenAI | None = None, **options: Any) -> str:
    """Send a prompt (or messages) to the configured model and return the reply text.

    Failures raise :class:`aidojo.llm.LLMError` with a Japanese message; the SDK retries
    429 / 5xx / connection errors with backoff first. Per call, ``timeout=`` (seconds) and ``max_retries=``
    override the configured ones (``max_tokens=``, ``temperature=`` … go to the model as given).
    """
    llm, kwargs = _request(prompt_or_messages, system, model, json, client, options)
    try:
        response = llm.chat.completions.create(**kwargs)
    except openai.OpenAIError as exc:
        raise explain(exc) from exc
    choice = response.choices[0]
    if err := content_filtered(choice.finish_reason):
        raise err
    return choice.message.content or ""


def stream_chat(prompt_or_messages: str | Messages, *, system: str | None = None, model: str | None = None,
                json: bool = False, client: openai.OpenAI | None = None, **options: Any) -> Iterator[str]:
    """Like :func:`chat`, but yield the reply piece by piece as the model writes it."""
    llm, kwargs = _request(prompt_or_messages, system, model, json, client, options)
    try:
        stream = llm.chat.completions.create(stream=True, **kwargs)
        for chunk in stream:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            if err := content_filtered(choice.finish_reason):
                raise err
            if choice.delta and choice.delta.content:
                yield choice.delta.content
    except openai.OpenAIError as exc:
        raise explain(exc) from exc
