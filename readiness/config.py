"""Configuration: ``[tool.readiness]`` in pyproject.toml, ``readiness.toml``, or ``--config FILE``.

Every constant a user may want to change has its default here. An unknown key or
invalid TOML in a file the user meant as configuration is an error naming the file
and line; the scanned repository's pyproject.toml is only configuration when it has a
``[tool.readiness]`` table, so a broken manifest without one is just a warning.

``[tool.readiness.services]`` corrects service detection the way code-maat's
architectural grouping does: path globs name, merge, split, re-role or ignore services.
``[tool.readiness.scoring]`` overrides the scoring model's weights and thresholds, whose
defaults live with the model in :mod:`readiness.scoring`.
``[tool.readiness.gate]`` sets the CI gates, ``[[tool.readiness.suppress]]`` ignores
findings (each with a reason), and ``baseline`` names the report new findings are
judged against.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from readiness.model import ROLES, Criterion
from readiness.safefs import read_regular_file
from readiness.scoring import ScoringConfig, config_from_table

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


SCORE_METRICS = ("benefit", "effort", "confidence", *(c.value for c in Criterion))
"""What ``--fail-over``/``--fail-under`` can judge: a service's totals, its confidence, or one criterion's score."""


@dataclass(frozen=True, slots=True)
class ScoreGate:
    """A threshold on one score: every scored service's, or one named service's."""

    metric: str
    """One of :data:`SCORE_METRICS`."""
    threshold: float
    service: str | None = None

    @property
    def key(self) -> str:
        return f"{self.service}:{self.metric}" if self.service else self.metric


def score_gate(key: str, value: object) -> ScoreGate:
    """``[SERVICE:]METRIC`` and a threshold as a gate; ValueError says what is wrong with them."""
    service, _, metric = key.rpartition(":")
    if metric not in SCORE_METRICS:
        raise ValueError(f"unknown score {metric!r} (known: {', '.join(SCORE_METRICS)})")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key}: the threshold must be a number")
    ceiling = 1 if metric == "confidence" else 100
    if not 0 <= value <= ceiling:
        raise ValueError(f"{key}: the threshold must be between 0 and {ceiling}")
    return ScoreGate(metric, float(value), service or None)


@dataclass(frozen=True, slots=True)
class GateSettings:
    """``[tool.readiness.gate]`` and the gate options: when a scan exits 1.

    Finding gates take selectors: a rule id (``MEM101``), a rule family (``CONC``), a
    criterion (``latency``) or ``all``.
    """

    fail_over: tuple[ScoreGate, ...] = ()
    """Fail when a service's score is above the threshold (a service has become a strong candidate)."""
    fail_under: tuple[ScoreGate, ...] = ()
    """Fail when a service's score is below the threshold (e.g. confidence)."""
    fail_on_rule: tuple[str, ...] = ()
    """Fail on any finding a selector matches."""
    max_findings: tuple[tuple[str, int], ...] = ()
    """Fail when more findings than allowed match a selector."""
    new_only: bool = False
    """Finding gates count only findings that are new against the baseline."""

    @property
    def configured(self) -> bool:
        return bool(self.fail_over or self.fail_under or self.fail_on_rule or self.max_findings)

    def merged(self, other: GateSettings) -> GateSettings:
        """These gates with ``other``'s laid over them: a threshold on the same score or selector is replaced."""
        return GateSettings(
            fail_over=_by_key(self.fail_over, other.fail_over),
            fail_under=_by_key(self.fail_under, other.fail_under),
            fail_on_rule=tuple(dict.fromkeys(self.fail_on_rule + other.fail_on_rule)),
            max_findings=tuple({**dict(self.max_findings), **dict(other.max_findings)}.items()),
            new_only=self.new_only or other.new_only,
        )


def _by_key(first: tuple[ScoreGate, ...], second: tuple[ScoreGate, ...]) -> tuple[ScoreGate, ...]:
    return tuple({gate.key: gate for gate in first + second}.values())


@dataclass(frozen=True, slots=True)
class Suppression:
    """``[[tool.readiness.suppress]]``: findings to leave out, and why (the reason is mandatory).

    A finding is suppressed when it matches every list given: a selector in ``rules``, a
    gitignore-style glob in ``paths``, a name or glob in ``services``.
    """

    reason: str
    rules: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    services: tuple[str, ...] = ()


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
    scoring: ScoringConfig = ScoringConfig()
    """Weights and thresholds of the scoring model, ``[tool.readiness.scoring]``."""
    gate: GateSettings = GateSettings()
    """When a scan fails, ``[tool.readiness.gate]``."""
    suppress: tuple[Suppression, ...] = ()
    """Findings to leave out, ``[[tool.readiness.suppress]]``."""
    baseline: str | None = None
    """A JSON report, relative to the scanned root, whose findings count as known."""
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
        elif key_name == "scoring":
            value = _scoring(value, text, origin)
        elif key_name == "gate":
            value = _gate(value, text, origin)
        elif key_name == "suppress":
            value = _suppressions(value, text, origin)
        elif key_name == "baseline":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: baseline must be the path of a JSON report")
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


def _scoring(table: Any, text: str, origin: str) -> ScoringConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}:{_line_of_key(text, 'scoring') or 1}: scoring must be a table")
    try:
        return config_from_table(table)
    except ValueError as error:
        key = str(error).split(":", 1)[0]
        raise ConfigError(f"{origin}:{_line_of_key(text, key) or _line_of_key(text, 'scoring') or 1}: {error}") from None


def _gate(table: Any, text: str, origin: str) -> GateSettings:
    def where(key: str) -> str:
        return f"{origin}:{_line_of_key(text, key) or _line_of_key(text, 'gate') or 1}"

    if not isinstance(table, dict):
        raise ConfigError(f"{where('gate')}: gate must be a table")
    known = ("fail-over", "fail-under", "fail-on-rule", "max-findings", "new-only")
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        if name not in known:
            raise ConfigError(f"{where(key)}: unknown key {key!r} in [tool.readiness.gate] (known: {', '.join(known)})")
        if name in ("fail-over", "fail-under"):
            if not isinstance(value, dict):
                raise ConfigError(f"{where(key)}: {key} must map scores to thresholds, e.g. {{benefit = 70}}")
            try:
                value = tuple(score_gate(metric, threshold) for metric, threshold in value.items())
            except ValueError as error:
                raise ConfigError(f"{where(key)}: {key}: {error}") from None
        elif name == "fail-on-rule":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(f"{where(key)}: fail-on-rule must be a list of rule ids, families or criteria")
            value = tuple(value)
        elif name == "max-findings":
            if not isinstance(value, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()):
                raise ConfigError(f"{where(key)}: max-findings must map selectors to non-negative integers, e.g. {{CONC = 10}}")
            value = tuple(value.items())
        elif not isinstance(value, bool):
            raise ConfigError(f"{where(key)}: new-only must be true or false")
        values[name.replace("-", "_")] = value
    return GateSettings(**values)


def _suppressions(entries: Any, text: str, origin: str) -> tuple[Suppression, ...]:
    where = f"{origin}:{_line_of_key(text, 'suppress') or 1}"
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigError(f"{where}: suppress must be an array of tables, [[tool.readiness.suppress]]")
    suppressions = []
    for number, entry in enumerate(entries, 1):
        label = f"{where}: suppression #{number}"
        unknown = set(entry) - {"reason", "rules", "paths", "services"}
        if unknown:
            raise ConfigError(f"{label}: unknown key {sorted(unknown)[0]!r} (known: paths, reason, rules, services)")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{label}: a reason is mandatory (reason = \"why this finding does not apply\")")
        lists = {}
        for key in ("rules", "paths", "services"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(f"{label}: {key} must be a list of strings")
            lists[key] = tuple(value)
        if not any(lists.values()):
            raise ConfigError(f"{label}: say what it suppresses with rules, paths or services")
        suppressions.append(Suppression(reason=reason.strip(), **lists))
    return tuple(suppressions)


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
