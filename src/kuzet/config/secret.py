"""Secrets in the site file (webhook keys, broker passwords): hidden wherever a model is
printed or logged, in clear only where another process of the same deployment must
validate the site back (a Ray actor's argument, :func:`wire_json`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, PlainSerializer, SecretStr, SerializationInfo

_REVEAL = {"reveal_secrets": True}


def _serialize(value: SecretStr, info: SerializationInfo) -> str:
    if isinstance(info.context, dict) and info.context.get("reveal_secrets"):
        return value.get_secret_value()
    return str(value)  # "**********"


Secret = Annotated[SecretStr, PlainSerializer(_serialize, when_used="json")]


def wire_json(model: BaseModel, **kwargs: Any) -> str:
    """``model`` as JSON that validates back to the same model, secrets included. Only
    for a process of the same deployment (the cluster's actors), never for a log or a
    response: a plain ``model_dump_json`` masks them, and the masked value then fails the
    secrets' own checks (a 16-character minimum), so an actor could not even start."""
    return model.model_dump_json(context=_REVEAL, **kwargs)
