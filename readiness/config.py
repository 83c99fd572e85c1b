"""Configuration: ``[tool.readiness]`` in pyproject.toml, ``readiness.toml``, or ``--config FILE``.

Every constant a user may want to change has its default here. An unknown key or
invalid TOML in a file the user meant as configuration is an error naming the file
and line; the scanned repository's pyproject.toml is only configuration when it has a
``[tool.readiness]`` table, so a broken manifest without one is just a warning.

``[tool.readiness.services]`` corrects service detection the way code-maat's
architectural grouping does: path globs name, merge, split, re-role or ignore services.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from readiness.model import ROLES
from readiness.safefs import read_regular_file

CONFIG_FILE_LIMIT = 1 << 20
MAX_FILE_SIZE_CEILING = 256 << 20


@dataclass(frozen=True, slots=True)
class ServiceOverrides:
    """``[tool.readiness.services]``: what the user knows better than the detectors.

    Globs are gitignore-style and match service roots (directories) and files alike.
    """

    paths: tuple[tuple[str, str], ...] = ()
    """``(glob, service name)`` in the order written. Every detected service whose root matches
    takes that name (two globs with one name merge services; a glob on a detected root renames
    it); a glob that matches no detected root makes a new service there (a split); files the
    glob matches belong to that service whatever their depth."""
    roles: tuple[tuple[str, str], ...] = ()
    """``(glob, role)``: the role of services whose root matches, whatever the detectors said."""
    ignore: tuple[str, ...] = ()
    """Services whose root matches, and infrastructure whose name matches, are left out."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a scan is configured with. Plugins receive it in their hooks."""

    include: tuple[str, ...] = ()
    """Gitignore-style globs; when set, only matching files are scanned."""
    exclude: tuple[str, ...] = ()
    """Gitignore-style globs of files to leave out (counted under ``config: exclude``)."""
    max_file_size: int = 1 << 20
    """Files larger than this many bytes are counted but not read."""
    jobs: int = 0
    """Worker processes; 0 means one per CPU."""
    disable_plugins: tuple[str, ...] = ()
    plugins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per-plugin tables, ``[tool.readiness.plugins.NAME]``, passed through untouched."""
    services: ServiceOverrides = ServiceOverrides()
    """Corrections to service detection, ``[tool.readiness.services]``."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Values of the command-line options plugins added."""
    source: str | None = None
    """The file this configuration came from, if any."""


class ConfigError(Exception):
    """Configuration the user wrote is unusable; the message is one line naming file and line."""


_LIST_OF_STR = ("include", "exclude", "disable_plugins")


def _line_of_key(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=|^\s*\[[^\]]*\b{re.escape(key)}\b", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _settings_from_table(table: Mapping[str, Any], text: str, origin: str) -> Settings:
    known = {f.name for f in fields(Settings)} - {"options", "source"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        key_name = key.replace("-", "_")
        where = f"{origin}:{_line_of_key(text, key) or 1}"
        if key_name not in known:
            raise ConfigError(f"{where}: unknown key {key!r} in [tool.readiness] (known: {', '.join(sorted(known))})")
        if key_name in _LIST_OF_STR:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: {key} must be a list of strings")
            value = tuple(value)
        elif key_name in ("max_file_size", "jobs"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{where}: {key} must be a non-negative integer")
            if key_name == "max_file_size" and not 0 < value <= MAX_FILE_SIZE_CEILING:
                raise ConfigError(f"{where}: max_file_size must be between 1 and {MAX_FILE_SIZE_CEILING}")
        elif key_name == "plugins":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{where}: plugins must be a table of tables, one per plugin")
        elif key_name == "services":
            value = _service_overrides(value, text, origin)
        values[key_name] = value
    return Settings(**values, source=origin)


def _service_overrides(table: Any, text: str, origin: str) -> ServiceOverrides:
    def where(key: str) -> str:
        return f"{origin}:{_line_of_key(text, key) or 1}"

    if not isinstance(table, dict):
        raise ConfigError(f"{where('services')}: services must be a table")
    known = ("ignore", "paths", "roles")
    for key in table:
        if key not in known:
            raise ConfigError(f"{where(key)}: unknown key {key!r} in [tool.readiness.services] (known: {', '.join(known)})")
    ignore = table.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(v, str) for v in ignore):
        raise ConfigError(f"{where('ignore')}: services.ignore must be a list of strings")
    paths = table.get("paths", {})
    if not isinstance(paths, dict) or not all(isinstance(v, str) and v.strip() for v in paths.values()):
        raise ConfigError(f"{where('paths')}: services.paths must map path globs to service names")
    roles = table.get("roles", {})
    if not isinstance(roles, dict):
        raise ConfigError(f"{where('roles')}: services.roles must map path globs to roles")
    for glob, role in roles.items():
        if role not in ROLES:
            raise ConfigError(f"{where(glob)}: unknown role {role!r} for {glob!r} (known: {', '.join(ROLES)})")
    return ServiceOverrides(paths=tuple(paths.items()), roles=tuple(roles.items()), ignore=tuple(ignore))


def _parse(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: invalid TOML: {error}") from None


def load_settings(root: Path, config_file: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings for scanning ``root``, and warnings about configuration that was ignored."""
    if config_file is not None:
        try:
            text = config_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{config_file}: cannot read configuration: {error}") from None
        document = _parse(text, str(config_file))
        table = document.get("tool", {}).get("readiness", document) if config_file.name == "pyproject.toml" else document
        return _settings_from_table(table, text, str(config_file)), []

    standalone = read_regular_file(root, "readiness.toml", CONFIG_FILE_LIMIT)
    if standalone is not None:
        text = standalone.decode("utf-8", errors="replace")
        return _settings_from_table(_parse(text, "readiness.toml"), text, "readiness.toml"), []

    pyproject = read_regular_file(root, "pyproject.toml", CONFIG_FILE_LIMIT)
    if pyproject is None:
        return Settings(), []
    text = pyproject.decode("utf-8", errors="replace")
    if not re.search(r"^\s*\[\s*tool\s*\.\s*readiness\b", text, re.M):
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            return Settings(), [f"pyproject.toml: invalid TOML, not read for configuration: {error}"]
        return Settings(), []
    table = _parse(text, "pyproject.toml").get("tool", {}).get("readiness", {})
    return _settings_from_table(table, text, "pyproject.toml"), []


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Settings with command-line values laid over the file's; None means "not given"."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return replace(settings, **given)
