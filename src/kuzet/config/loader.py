"""Load a site YAML file; every error names the field and the line, never a traceback."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kuzet.config.checks import describe, site_problems
from kuzet.config.models import SiteConfig

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
ENV_PREFIX = "KUZET_"


class ConfigError(ValueError):
    """A site file that cannot be used; ``str()`` is the message for the operator."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: invalid site configuration\n  " + "\n  ".join(problems))


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value
            out[(*path, k)] = key.start_mark.line + 1
            _lines(value, (*path, k), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _interpolate(value: Any, missing: list[str], path: str = "") -> Any:
    """Replace ``${VAR}`` / ``${VAR:-default}`` so secrets stay in the environment."""
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(f"{path or '<root>'}: environment variable {name} is not set")
            return ""

        return _ENV_REF.sub(sub, value)
    if isinstance(value, dict):
        return {
            k: _interpolate(v, missing, f"{path}.{k}" if path else str(k)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_interpolate(v, missing, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _from_env(loc: tuple[Any, ...]) -> str | None:
    """The ``KUZET_...`` variable that set the value at ``loc``, if one did."""
    for n in range(len(loc), 0, -1):
        name = ENV_PREFIX + "__".join(str(p) for p in loc[:n]).upper()
        if any(k.upper() == name for k in os.environ):
            return name
    return None


def parse_site(text: str, source: str = "<site>") -> SiteConfig:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, [f"{where}YAML syntax error: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(source, ["line 1: the site file must be a mapping of settings"])
    lines: dict[tuple[Any, ...], int] = {}
    if root is not None:
        _lines(root, (), lines)
    missing: list[str] = []
    data = _interpolate(data, missing)
    if missing:
        raise ConfigError(source, missing)
    # pydantic-settings costs ~150 ms of CPU to import: only a site file needs it
    from pydantic_settings.exceptions import SettingsError

    from kuzet.config.settings import SiteSettings

    try:
        site: SiteConfig = SiteSettings(**data)
    except SettingsError as exc:  # e.g. a list override that is not JSON
        hint = f"(lists and mappings are JSON, e.g. {ENV_PREFIX}BUS__SERVERS='[\"nats://h:4222\"]')"
        raise ConfigError(source, [f"environment: {exc} {hint}"]) from None
    except ValidationError as exc:
        raise ConfigError(source, [_describe(err, lines) for err in exc.errors()]) from None
    problems = site_problems(site)
    if problems:
        raise ConfigError(source, [describe(loc, msg, lines) for loc, msg in problems])
    return site


def _describe(err: Any, lines: dict[tuple[Any, ...], int]) -> str:
    loc = tuple(err["loc"])
    env = _from_env(loc)
    # pydantic adds the union tag (e.g. 'nanodet') to the location; drop what YAML lacks
    # (unless the environment set it).
    known = _flat_keys(lines) | {p for p in loc if env and str(p).upper() in env}
    path = tuple(p for p in loc if p in known or isinstance(p, int))
    line = None
    probe = path
    while probe and line is None:
        line = lines.get(probe)
        probe = probe[:-1]
    field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(
        ".[", "["
    )
    where = f"{env}: " if env else f"line {line}: " if line else ""
    return f"{where}{field or '<root>'}: {err['msg']}"


def _flat_keys(lines: dict[tuple[Any, ...], int]) -> set[Any]:
    return {k for path in lines for k in path}


def load_site(path: str | Path) -> SiteConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(p), ["file not found"]) from None
    except OSError as exc:
        raise ConfigError(str(p), [f"cannot read: {exc.strerror}"]) from None
    return parse_site(text, str(p))
