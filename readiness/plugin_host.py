"""Finds, registers and calls plugins.

Built-in plugins come first, then third-party ones from the ``readiness`` entry-point
group (unless ``READINESS_DISABLE_PLUGIN_AUTOLOAD`` is set), then ``*.py`` files from
``--plugins-dir``. Each hook implementation is called on its own, so one plugin that
raises costs only its own results: the error is kept as a :class:`PluginError` and
reported, unless ``debug`` asks for it to be raised.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from readiness import __version__, hookspecs
from readiness.model import Diagnostic, ReportFormat, Rule

ENTRY_POINT_GROUP = "readiness"
DISABLE_AUTOLOAD_ENV = "READINESS_DISABLE_PLUGIN_AUTOLOAD"

BUILTIN_PLUGINS = (
    "readiness_plugins.languages",
    "readiness_plugins.line_counts",
    "readiness_plugins.history",
    "readiness_plugins.concurrency",
    "readiness_plugins.shared_state",
    "readiness_plugins.blocking",
    "readiness_plugins.hot_paths",
    "readiness_plugins.memory_safety",
    "readiness_plugins.request_surface",
    "readiness_plugins.complexity",
    "readiness_plugins.table_report",
    "readiness_plugins.json_report",
    "readiness_plugins.sarif_report",
    "readiness_plugins.markdown_report",
    "readiness_plugins.html_report",
    "readiness_plugins.github_annotations",
    "readiness_plugins.compose_services",
    "readiness_plugins.dockerfile_services",
    "readiness_plugins.kubernetes_services",
    "readiness_plugins.aspire_services",
    "readiness_plugins.serverless_services",
    "readiness_plugins.procfile_services",
    "readiness_plugins.go_services",
    "readiness_plugins.node_services",
    "readiness_plugins.python_services",
    "readiness_plugins.jvm_services",
    "readiness_plugins.dotnet_services",
    "readiness_plugins.rust_services",
    "readiness_plugins.ruby_services",
    "readiness_plugins.elixir_services",
    "readiness_plugins.php_services",
    "readiness_plugins.load_generator_services",
    "readiness_plugins.tooling_services",
    "readiness_plugins.grpc_edges",
    "readiness_plugins.address_edges",
    "readiness_plugins.topic_edges",
    "readiness_plugins.primary_language",
    "readiness_plugins.runtimes",
    "readiness_plugins.container_resources",
    "readiness_plugins.base_images",
    "readiness_plugins.rust_ecosystem",
    "readiness_plugins.team_readiness",
    "readiness_plugins.service_size",
    "readiness_plugins.service_fit",
    "readiness_plugins.service_boundary",
)


@dataclass(frozen=True, slots=True)
class HostSpec:
    """What it takes to rebuild the same set of plugins, e.g. in a worker process."""

    plugins_dirs: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    autoload: bool = True
    debug: bool = False


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    origin: str
    """``builtin``, ``entry-point`` or ``directory``."""
    version: str | None
    hooks: tuple[str, ...]
    location: str


class PluginError(Exception):
    """A plugin failed to load or raised inside a hook."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"plugin {plugin!r} failed in {hook}: {type(error).__name__}: {error}")
        self.plugin = plugin
        self.hook = hook

    def diagnostic(self) -> Diagnostic:
        return Diagnostic("error", str(self), plugin=self.plugin, hook=self.hook)


class PluginHost:
    def __init__(self, spec: HostSpec = HostSpec()) -> None:
        self.spec = spec
        self.errors: list[PluginError] = []
        self.warnings: list[Diagnostic] = []
        """Warnings plugins returned from their hooks, set aside by the pipeline until the report."""
        self._infos: dict[str, PluginInfo] = {}
        self._pm = pluggy.PluginManager("readiness")
        self._pm.add_hookspecs(hookspecs)
        for name in spec.disabled:
            self._pm.set_blocked(name)
        for module_name in BUILTIN_PLUGINS:
            self._load(module_name.rsplit(".", 1)[1], "builtin", lambda m=module_name: importlib.import_module(m), __version__)
        if spec.autoload and not os.environ.get(DISABLE_AUTOLOAD_ENV):
            self._load_entry_points()
        for directory in spec.plugins_dirs:
            for path in sorted(Path(directory).glob("*.py")):
                self._load(path.stem, "directory", lambda p=path: _import_file(p))
        self._pm.check_pending()
        self.rules = self._collect_rules()
        self.formats = self._collect_formats()

    def _load(self, name: str, origin: str, importer: Any, version: str | None = None) -> None:
        if self._pm.is_blocked(name):
            return
        try:
            plugin = importer()
        except Exception as error:
            self._fail(name, "import", error)
            return
        self._pm.register(plugin, name=name)
        location = getattr(plugin, "__file__", None) or repr(plugin)
        version = version or getattr(plugin, "__version__", None)
        self._infos[name] = PluginInfo(name, origin, version, (), str(location))

    def _load_entry_points(self) -> None:
        seen: set[str] = set()
        for dist in importlib.metadata.distributions():
            for entry_point in dist.entry_points:
                if entry_point.group != ENTRY_POINT_GROUP or entry_point.name in seen:
                    continue
                seen.add(entry_point.name)
                self._load(entry_point.name, "entry-point", entry_point.load, dist.version)

    def _fail(self, plugin: str, hook: str, error: BaseException) -> None:
        if self.spec.debug:
            raise error
        self.errors.append(PluginError(plugin, hook, error))

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin with the hooks it implements, in registration order."""
        infos = []
        for name, info in self._infos.items():
            plugin = self._pm.get_plugin(name)
            if plugin is None:
                continue
            hooks = tuple(sorted(caller.name for caller in self._pm.get_hookcallers(plugin) or ()))
            infos.append(replace(info, hooks=hooks))
        return infos

    def _implementations(self, hook: str) -> Iterator[pluggy.HookImpl]:
        # pluggy calls the last registered implementation first; keep that order so a
        # third-party plugin can override a built-in firstresult hook.
        yield from reversed(getattr(self._pm.hook, hook).get_hookimpls())

    def has_implementations(self, hook: str) -> bool:
        return bool(getattr(self._pm.hook, hook).get_hookimpls())

    def implementers(self, hook: str) -> list[str]:
        """The plugins implementing ``hook``, in call order."""
        return [impl.plugin_name for impl in self._implementations(hook)]

    def _results(self, hook: str, only: Collection[str] | None, kwargs: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        """Each implementation's non-None result, lazily, in call order; a raising one is recorded and skipped."""
        for impl in self._implementations(hook):
            if only is not None and impl.plugin_name not in only:
                continue
            try:
                result = impl.function(*(kwargs[name] for name in impl.argnames))
            except Exception as error:
                self._fail(impl.plugin_name, hook, error)
                continue
            if result is not None:
                yield impl.plugin_name, result

    def call_each(self, hook: str, only: Collection[str] | None = None, **kwargs: Any) -> list[tuple[str, Any]]:
        """Every implementation's non-None result, as (plugin name, result), in call order.

        :param only: when given, call only these plugins' implementations.
        """
        return list(self._results(hook, only, kwargs))

    def call_first(self, hook: str, **kwargs: Any) -> Any:
        """The first non-None result, as with pluggy's ``firstresult``: later implementations are not called."""
        return next((result for _, result in self._results(hook, None, kwargs)), None)

    def call_plugin(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """One named plugin's result for ``hook`` (None if it does not implement it or fails)."""
        return next((result for _, result in self._results(hook, (plugin,), kwargs)), None)

    def drain_errors(self) -> list[PluginError]:
        errors, self.errors = self.errors, []
        return errors

    def drain_warnings(self) -> list[Diagnostic]:
        warnings, self.warnings = self.warnings, []
        return warnings

    def analysis_markers(self) -> dict[str, dict[str, tuple[bytes, ...]]]:
        """Per plugin that declared them, its pre-filter markers by language (see ``readiness_analysis_markers``).

        Most of the test's cost is scanning a file for markers it lacks, so a marker that
        contains another is dropped (the shorter one decides), and the rest are tried
        shortest first: short markers are the likeliest to occur.
        """
        return {
            plugin: {language: _essential(markers) for language, markers in declared.items()}
            for plugin, declared in self.call_each("readiness_analysis_markers")
        }

    def _collect_rules(self) -> dict[str, Rule]:
        rules: dict[str, Rule] = {}
        # In registration order, so a later plugin cannot take over a built-in's id.
        for plugin, declared in reversed(self.call_each("readiness_rules")):
            for rule in declared:
                if rule.id in rules:
                    self._fail(plugin, "readiness_rules", ValueError(f"rule {rule.id} is already declared by {rules[rule.id].plugin}"))
                    continue
                rules[rule.id] = replace(rule, plugin=plugin)
        return dict(sorted(rules.items()))

    def _collect_formats(self) -> dict[str, ReportFormat]:
        formats: dict[str, ReportFormat] = {}
        for plugin, declared in reversed(self.call_each("readiness_report_formats")):
            for report_format in declared:
                if report_format.name in formats:
                    self._fail(plugin, "readiness_report_formats", ValueError(f"format {report_format.name!r} is already declared"))
                    continue
                formats[report_format.name] = report_format
        return formats


def _import_file(path: Path) -> ModuleType:
    """Import a drop-in plugin file under a private name, so it cannot shadow a real module."""
    module_name = f"readiness_local_plugins.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _essential(markers: list[bytes]) -> tuple[bytes, ...]:
    """The markers no shorter one is part of, shortest first: the same files contain one of them."""
    unique = sorted(set(markers), key=lambda marker: (len(marker), marker))
    return tuple(marker for n, marker in enumerate(unique) if not any(shorter in marker for shorter in unique[:n]))
