"""Checks of deploy/ against Kuzet itself: commands, options, site files, KUZET_ variables.

`docker compose config` and `helm template` are not available where the tests run, so the
files are parsed here (PyYAML; the chart's templates through :func:`render_chart`, which
knows only ``{{ .Values.x.y }}`` and ``{{ .Release.Name }}`` and fails on anything else,
keeping the chart's templating minimal on purpose) and every reference in them is looked
up in Kuzet's own CLI (typer/click) and config models (pydantic).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer.main
import yaml
from pydantic import BaseModel

from kuzet.cli import app
from kuzet.config.access import AccessConfig
from kuzet.config.loader import ENV_PREFIX, parse_site
from kuzet.config.models import SiteConfig
from kuzet.crypto.signing import KEY_ENV, KEY_FILE_ENV

_TEMPLATE = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
_COMPOSE_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")
_SITE_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def key_envs() -> set[str]:
    """Variables Kuzet reads for keys (not site fields)."""
    a = AccessConfig()
    return {a.audit_key_env, a.keys_env, a.key_file_env, KEY_ENV, KEY_FILE_ENV}


def _field_path_ok(model: type[BaseModel], parts: list[str]) -> bool:
    if not parts:
        return True
    fields = {name.lower(): f for name, f in model.model_fields.items()}
    field = fields.get(parts[0].lower())
    if field is None:
        return False
    if len(parts) == 1:
        return True
    ann = field.annotation
    candidates = [ann, *getattr(ann, "__args__", ())]
    for c in candidates:
        for inner in [c, *getattr(c, "__args__", ())]:
            is_model = isinstance(inner, type) and issubclass(inner, BaseModel)
            if is_model and _field_path_ok(inner, parts[1:]):
                return True
    return False


def env_problem(name: str) -> str | None:
    """Why a ``KUZET_...`` variable would not reach Kuzet; None when it does."""
    if not name.startswith(ENV_PREFIX) or name in key_envs() or name == "KUZET_IMAGE":
        return None
    parts = name[len(ENV_PREFIX) :].split("__")
    if not _field_path_ok(SiteConfig, parts):
        return f"{name}: no such site field ({'.'.join(p.lower() for p in parts)})"
    return None


def command_problem(argv: list[str]) -> str | None:
    """Why ``kuzet <argv>`` would fail to parse (unknown command or option); None if fine.

    typer ships its own copy of click, so its classes are found by what they hold."""
    cmd: Any = typer.main.get_command(app)
    args = list(argv)
    while hasattr(cmd, "commands") and args and not args[0].startswith("-"):
        sub = cmd.commands.get(args[0])
        if sub is None:
            return f"kuzet {' '.join(argv)}: no command {args[0]!r}"
        cmd, args = sub, args[1:]
    if hasattr(cmd, "commands"):
        return f"kuzet {' '.join(argv)}: names a group, not a command"
    try:
        cmd.make_context("kuzet", args)
    except Exception as exc:  # typer's click: UsageError, NoSuchOption, BadParameter ...
        if type(exc).__name__ == "Exit":
            return None
        fmt = getattr(exc, "format_message", None)
        message = fmt() if callable(fmt) else str(exc)
        return f"kuzet {' '.join(argv)}: {message}"
    return None


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Run with exactly these ``KUZET_`` variables set (others removed), restored after."""
    saved = dict(os.environ)
    try:
        for k in list(os.environ):
            if k.startswith(ENV_PREFIX):
                del os.environ[k]
        os.environ.update(values)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def site_problems(text: str, source: str, env: Mapping[str, str]) -> list[str]:
    """Problems of a site file run with ``env``: a ``${VAR}`` the process lacks, or what
    Kuzet's own loader refuses (with the environment's overrides applied)."""
    out = [f"{source}: ${{{v}}} not in the environment" for v in _SITE_VAR.findall(text)
           if v not in env]  # fmt: skip
    if out:
        return out
    with environment({k: str(v) for k, v in env.items()}):
        try:
            parse_site(text, source)
        except Exception as exc:  # ConfigError: the loader's own message
            out.append(str(exc))
    return out


def compose_vars(text: str) -> set[str]:
    return set(_COMPOSE_VAR.findall(text))


def resolve_compose_env(env: Mapping[str, Any]) -> dict[str, str]:
    """Compose's ``${VAR:?msg}`` values as the process would see them (a stand-in value)."""
    return {k: _COMPOSE_VAR.sub("set-by-env", str(v)) for k, v in env.items()}


def _lookup(values: Mapping[str, Any], path: str) -> Any:
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def render_chart(chart: Path, release: str = "kuzet") -> list[dict[str, Any]]:
    """The chart's templates with values.yaml, as YAML documents (see module doc)."""
    values = yaml.safe_load((chart / "values.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for tpl in sorted((chart / "templates").glob("*.yaml")):

        def sub(m: re.Match[str], tpl: Path = tpl) -> str:
            expr = m.group(1)
            if expr == ".Release.Name":
                return release
            if expr.startswith(".Values."):
                try:
                    return str(_lookup(values, expr[len(".Values.") :]))
                except KeyError:
                    where = f"{tpl.name}: {{{{ {expr} }}}}"
                    raise ValueError(f"{where} is not in values.yaml") from None
            raise ValueError(f"{tpl.name}: template action {expr!r} is more than a value")

        rendered = _TEMPLATE.sub(sub, tpl.read_text())
        docs += [d for d in yaml.safe_load_all(rendered) if d]
    return docs


def pod_containers(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", []))
