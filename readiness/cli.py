"""The command line: ``main(argv) -> exit code``; the only place readiness writes output.

Exit codes: 0 success, 1 a configured gate failed, 2 usage or configuration error,
3 internal error. Errors are one line on stderr; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from readiness import __version__, diffscope, gates
from readiness.baseline import Baseline, BaselineError, compare, parse_baseline
from readiness.cache import AnalysisCache, default_cache_dir, inside_repository, plugin_signature
from readiness.diffscope import ChangeScope
from readiness.config import ConfigError, GateSettings, ScoreGate, Settings, load_settings, score_gate, with_overrides
from readiness.explanation import find_service, render_explanation
from readiness.export import json_text, load_schema, report_as_dict
from readiness.git import GitError, run_git
from readiness.inventory import Progress
from readiness.model import GateOutcome, RenderOptions, Report, ReportFormat
from readiness.pipeline import scan
from readiness.plugin_host import HostSpec, PluginHost
from readiness.safefs import read_regular_file

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
BASELINE_SIZE_LIMIT = 256 << 20
RULE_ID = re.compile(r"^[A-Za-z]{2,}[0-9]{3}$")
"""What a rule id looks like (CONC101): ``explain`` with such a name and no path is about a rule."""


class UsageError(Exception):
    """The command line or configuration cannot be acted on (exit 2)."""


def _host_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plugins-dir", action="append", default=[], metavar="DIR", help="load every *.py file in DIR as a plugin (repeatable)")
    parser.add_argument("--disable-plugin", action="append", default=[], metavar="NAME", help="do not load the plugin NAME (repeatable)")
    parser.add_argument("--debug", action="store_true", help="raise plugin errors and show tracebacks")


def _build_parser(host: PluginHost) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _host_options(common)
    parser = argparse.ArgumentParser(prog="readiness", description="Which services would gain most from a rewrite in Rust, and why.")
    parser.add_argument("--version", action="version", version=f"readiness {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan_parser = commands.add_parser("scan", parents=[common], help="scan a repository and report")
    scan_parser.add_argument("path", nargs="?", default=".", help="the repository or directory to scan (default: .)")
    scan_parser.add_argument("--diff", metavar="REF", help="judge only the services changed since the git revision REF (pull requests)")
    check_parser = commands.add_parser(
        "check", parents=[common], help="judge the services some files belong to, in the repository around the current directory (pre-commit)"
    )
    check_parser.add_argument("changed", nargs="*", metavar="FILE", help="changed files (default: judge every service)")
    for command in (scan_parser, check_parser):
        _report_options(command, host)

    commands.add_parser("plugins", parents=[common], help="list plugins with their origin, version and hooks")
    commands.add_parser("rules", parents=[common], help="list every rule")
    explain = commands.add_parser(
        "explain", parents=[common], help="print a rule's documentation, or scan and show every number behind a service's verdict"
    )
    explain.add_argument("rule", metavar="RULE_ID|SERVICE", help="a rule id (ECO102), else a service name or path")
    explain.add_argument("path", nargs="?", help="for a service: the repository to scan (default: .)")
    _scan_options(explain, host)
    commands.add_parser("schema", parents=[common], help="print the JSON schema of --format json")
    return parser


def _report_options(parser: argparse.ArgumentParser, host: PluginHost) -> None:
    parser.add_argument("--format", choices=sorted(host.formats), help="format of standard output, or of a plain --output FILE (default: table)")
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="[FORMAT:]PATH",
        help="write a report to PATH: FORMAT:PATH in that format (repeatable, one scan for all), "
        "or PATH alone in --format's instead of standard output",
    )
    parser.add_argument("--files", action="store_true", help="include the per-file inventory (json)")
    _gate_options(parser)
    _scan_options(parser, host)


def _scan_options(parser: argparse.ArgumentParser, host: PluginHost) -> None:
    """The options of a scan, shared by ``scan``, ``check`` and ``explain SERVICE``."""
    parser.add_argument("--config", metavar="FILE", type=Path, help="read configuration from FILE instead of the repository's")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per CPU)")
    parser.add_argument("--max-file-size", type=int, metavar="BYTES", help="count larger files without reading them")
    parser.add_argument("--git-timeout", type=float, default=60.0, metavar="SECONDS", help="give up on any one git call after this long")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache of per-file results")
    parser.add_argument("--cache-dir", metavar="DIR", help=f"keep per-file results in DIR (default: {default_cache_dir()}; never inside the repository)")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="no progress, no timings")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print each stage's timing to stderr")
    # What plugins add below may change their results, so the cache must tell its values apart.
    parser.set_defaults(core_options=frozenset(action.dest for action in parser._actions) | {"core_options", "command"})
    for plugin in host.plugins():
        if "readiness_add_options" in plugin.hooks:
            group = parser.add_argument_group(f"plugin {plugin.name}")
            host.call_plugin(plugin.name, "readiness_add_options", group=group)


def _gate_options(parser: argparse.ArgumentParser) -> None:
    gates = parser.add_argument_group("CI gates (exit 1 when one fails; [tool.readiness.gate] sets them too)")
    gates.add_argument(
        "--fail-over", action="append", default=[], metavar="[SERVICE:]SCORE=N",
        help="fail when a service's score is above N; SCORE: benefit, effort, confidence or a criterion (repeatable)",
    )
    gates.add_argument("--fail-under", action="append", default=[], metavar="[SERVICE:]SCORE=N", help="fail when a service's score is below N (repeatable)")
    gates.add_argument(
        "--fail-on-rule", action="append", default=[], metavar="SELECTOR",
        help="fail on any finding of a rule id (MEM101), family (CONC), criterion (latency) or all (repeatable)",
    )
    gates.add_argument("--max-findings", action="append", default=[], metavar="SELECTOR=N", help="fail when more than N findings match SELECTOR (repeatable)")
    gates.add_argument("--new-only", action="store_true", help="finding gates count only findings new against the baseline")
    gates.add_argument("--exit-zero", action="store_true", help="report the gate outcome, but exit 0 whatever it is")
    gates.add_argument("--baseline", metavar="FILE", help="a JSON report to compare findings with: new, changed, unchanged, fixed")
    gates.add_argument("--write-baseline", metavar="FILE", help="also write this scan's JSON report to FILE, as the next baseline")


def _cli_gates(args: argparse.Namespace) -> GateSettings:
    """The gates given on the command line; a malformed one is a usage error naming the option."""
    score_gates: dict[str, list[ScoreGate]] = {"fail_over": [], "fail_under": []}
    for option in score_gates:
        for written in getattr(args, option):
            key, equals, value = written.rpartition("=")
            try:
                if not equals:
                    raise ValueError("write [SERVICE:]SCORE=N, e.g. benefit=70")
                score_gates[option].append(score_gate(key, _number(value)))
            except ValueError as error:
                raise UsageError(f"--{option.replace('_', '-')} {written}: {error}") from None
    limits = []
    for written in args.max_findings:
        selector, _, value = written.rpartition("=")
        if not selector or not value.isdigit():
            raise UsageError(f"--max-findings {written}: write SELECTOR=N, e.g. CONC=10")
        limits.append((selector, int(value)))
    return GateSettings(
        fail_over=tuple(score_gates["fail_over"]),
        fail_under=tuple(score_gates["fail_under"]),
        fail_on_rule=tuple(args.fail_on_rule),
        max_findings=tuple(limits),
        new_only=args.new_only,
    )


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number (write SCORE=N, e.g. benefit=70)") from None


def _read_baseline(root: Path, args: argparse.Namespace, settings: Settings) -> Baseline | None:
    """The baseline the command line names, else the configuration's (a path inside the scanned root)."""
    if args.baseline:
        try:
            data = Path(args.baseline).read_bytes()
        except OSError as error:
            raise UsageError(f"--baseline {args.baseline}: cannot read: {error.strerror or error}") from None
        source = args.baseline
    elif settings.baseline:
        found = read_regular_file(root, settings.baseline, BASELINE_SIZE_LIMIT)
        if found is None:
            raise UsageError(f"{settings.source}: baseline {settings.baseline}: not a readable file of at most {BASELINE_SIZE_LIMIT >> 20} MiB in {root}")
        data, source = found, settings.baseline
    else:
        return None
    try:
        return parse_baseline(data, source)
    except BaselineError as error:
        raise UsageError(str(error)) from None


def _host_spec(argv: Sequence[str]) -> HostSpec:
    pre = argparse.ArgumentParser(add_help=False)
    _host_options(pre)
    known, _ = pre.parse_known_args(argv)
    return HostSpec(plugins_dirs=tuple(known.plugins_dir), disabled=tuple(known.disable_plugin), debug=known.debug)


def _progress_printer(stream: TextIO, verbose: bool) -> Progress | None:
    """A progress callback: a rich bar on a terminal, stage timings with -v, nothing otherwise."""
    interactive = stream.isatty() and not os.environ.get("CI")
    if not (interactive or verbose):
        return None
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    console = Console(file=stream)
    bar = RichProgress(console=console, transient=True) if interactive else None
    tasks: dict[str, object] = {}
    started = time.perf_counter()

    def report(stage: str, done: int, total: int) -> None:
        if bar is not None:
            if stage not in tasks:
                bar.start()
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)  # type: ignore[arg-type]
            if done >= total:
                bar.stop()
        if verbose and done >= total:
            console.print(f"{stage}: {total:,} files in {time.perf_counter() - started:.2f}s")

    return report


@dataclass(frozen=True, slots=True)
class _Scan:
    """What a scan needs from the command line: the root, its settings, the plugins, progress, the cache."""

    root: Path
    settings: Settings
    host: PluginHost
    progress: Progress | None
    git_timeout: float
    cache: AnalysisCache | None

    def run(self, scope: ChangeScope | None = None) -> Report:
        return scan(self.root, self.settings, self.host, self.progress, git_timeout=self.git_timeout, cache=self.cache, scope=scope)


def _prepare(args: argparse.Namespace, host: PluginHost, err: TextIO, root: Path, gate: GateSettings) -> _Scan:
    """The scan ``args`` ask for: ``root`` with its configuration, the command line's options and ``gate`` over the configured gates."""
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    try:
        settings, warnings = load_settings(root, args.config)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    settings = with_overrides(
        settings,
        jobs=args.jobs,
        max_file_size=args.max_file_size,
        disable_plugins=tuple(args.disable_plugin) or None,
        options=vars(args),
        gate=settings.gate.merged(gate),
    )
    if settings.disable_plugins and set(settings.disable_plugins) != set(host.spec.disabled):
        host = PluginHost(HostSpec(host.spec.plugins_dirs, tuple(sorted(set(settings.disable_plugins) | set(host.spec.disabled))), host.spec.autoload, host.spec.debug))
    for warning in warnings:
        print(f"readiness: warning: {warning}", file=err)
    progress = None if args.quiet else _progress_printer(err, args.verbose)
    return _Scan(root, settings, host, progress, args.git_timeout, _cache(args, root, host, settings, err))


def _scan(args: argparse.Namespace, host: PluginHost, out: TextIO, err: TextIO) -> int:
    root = _repository_root(args.git_timeout) if args.command == "check" else Path(args.path)
    prepared = _prepare(args, host, err, root, _cli_gates(args))
    settings, host = prepared.settings, prepared.host
    scope = _scope(args, root)
    if scope is not None and args.write_baseline:
        raise UsageError("--write-baseline needs a full scan: a report of the services some changes touch would make every other finding new")
    baseline = _read_baseline(root, args, settings)
    try:
        gates.validate(settings.gate, host.rules, baseline is not None)
    except gates.GateError as error:
        raise UsageError(str(error)) from None
    outputs = _outputs(args.output, args.format, host.formats)
    report = prepared.run(scope)
    if baseline is not None:
        report = compare(report, baseline)
    if settings.gate.configured:
        report = replace(report, gate=gates.evaluate(report, settings.gate, args.exit_zero))
    # Every report is rendered before any is written, so a failing format leaves no partial set behind.
    rendered = []
    for output in outputs:
        to_terminal = output.path is None and out.isatty()
        width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
        color = to_terminal and not os.environ.get("NO_COLOR")
        options = RenderOptions(width=width, color=color, include_files=args.files, options=vars(args))
        rendered.append((output.path, output.format.render(report, options)))
    if args.write_baseline:
        # Written by the core, not the json format, which a configuration may have disabled.
        rendered.append((Path(args.write_baseline), json_text(report_as_dict(report))))
    for path, text in rendered:
        if path is None:
            out.write(text)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    if report.gate is None:
        return EXIT_OK
    if not any(output.path is None and output.format.name == "table" for output in outputs):
        _print_gate(report.gate, err)
    return report.gate.exit_code


def _repository_root(timeout: float) -> Path:
    """The top of the git work tree around the current directory (where pre-commit runs hooks), else the current directory."""
    cwd = Path.cwd()
    try:
        code, out = run_git(cwd, "rev-parse", "--show-toplevel", timeout=timeout, ok_codes=(0, 128))
    except GitError:
        return cwd
    top = os.fsdecode(out.strip())
    return Path(top) if code == 0 and top else cwd


def _scope(args: argparse.Namespace, root: Path) -> ChangeScope | None:
    try:
        if args.command == "check":
            return diffscope.of_files(root, args.changed, Path.cwd()) if args.changed else None
        return diffscope.against_ref(root, args.diff, args.git_timeout) if args.diff is not None else None
    except diffscope.ScopeError as error:
        raise UsageError(str(error)) from None


def _cache(args: argparse.Namespace, root: Path, host: PluginHost, settings: Settings, err: TextIO) -> AnalysisCache | None:
    """The cache of per-file results for this configuration, or None with --no-cache or where it would be inside the repository."""
    if args.no_cache:
        return None
    directory = Path(args.cache_dir).expanduser() if args.cache_dir else default_cache_dir()
    if inside_repository(directory, root):
        if args.cache_dir:
            raise UsageError(f"--cache-dir {args.cache_dir}: inside the scanned repository, which readiness never writes to")
        print(f"readiness: warning: cache not used: {directory} is inside the scanned repository", file=err)
        return None
    plugin_options = {key: value for key, value in vars(args).items() if key not in args.core_options}
    signature = {"plugins": plugin_signature(host), "max_file_size": settings.max_file_size, "plugin_settings": settings.plugins, "plugin_options": plugin_options}
    return AnalysisCache(directory, signature)


def _print_gate(gate: GateOutcome, err: TextIO) -> None:
    """The gate's verdict on stderr, for logs where the report itself went to a file or is not the table."""
    for failure in gate.failures:
        print(f"readiness: {failure.condition}: {failure.detail}", file=err)
    if gate.passed:
        print(f"readiness: gate passed ({gate.tally}, exit 0)", file=err)
    else:
        print(f"readiness: gate failed ({gate.tally}{', --exit-zero' if gate.exit_zero else ''}, exit {gate.exit_code})", file=err)


@dataclass(frozen=True, slots=True)
class _Output:
    format: ReportFormat
    path: Path | None
    """None for standard output."""


# Two characters at least, so that a Windows drive (C:\reports) stays a path.
_FORMAT_PREFIX = re.compile(r"([a-z][a-z0-9_-]+):(.+)", re.DOTALL)


def _outputs(specs: Sequence[str], default_format: str | None, formats: Mapping[str, ReportFormat]) -> list[_Output]:
    """Where each report goes: ``FORMAT:PATH`` specs, and the ``--format`` report to a plain PATH or standard output."""
    named: list[_Output] = []
    plain: list[str] = []
    for spec in specs:
        match = _FORMAT_PREFIX.fullmatch(spec)
        if match is None:
            plain.append(spec)
            continue
        name, path = match.groups()
        if name not in formats:
            choices = ", ".join(sorted(formats))
            raise UsageError(f"--output {spec}: unknown format {name!r} (choose from {choices}; write ./{spec} for a file of that name)")
        named.append(_Output(formats[name], Path(path)))
    if len(plain) > 1:
        raise UsageError(f"--output {plain[1]}: only one --output may go without a format; write FORMAT:PATH for the others")
    main_format = formats[default_format or "table"]
    outputs = [_Output(main_format, Path(plain[0]) if plain else None), *named]
    paths = [output.path.resolve() for output in outputs if output.path is not None]
    if len(paths) != len(set(paths)):
        raise UsageError("--output: two reports would be written to the same file")
    return outputs


def _plugins(host: PluginHost, out: TextIO) -> int:
    for plugin in host.plugins():
        out.write(f"{plugin.name} ({plugin.origin}, {plugin.version or 'no version'}) {plugin.location}\n")
        for hook in plugin.hooks:
            out.write(f"    {hook}\n")
    for error in host.drain_errors():
        out.write(f"error: {error}\n")
    return EXIT_OK


def _rules(host: PluginHost, out: TextIO) -> int:
    for rule in host.rules.values():
        out.write(f"{rule.id}\t{rule.criterion.value}\t{rule.title}\t({rule.plugin})\n")
    return EXIT_OK


def _explain(args: argparse.Namespace, host: PluginHost, out: TextIO, err: TextIO) -> int:
    """A rule's documentation when the name is a rule id; else the verdict on the service of that name."""
    rule = host.rules.get(args.rule.upper())
    if rule is not None:
        out.write(f"{rule.id}: {rule.title}\ncriterion: {rule.criterion.value} ({rule.criterion.side})\nplugin: {rule.plugin}\n\n{rule.doc.strip()}\n")
        return EXIT_OK
    if args.path is None and RULE_ID.match(args.rule):
        raise UsageError(f"unknown rule {args.rule!r}; `readiness rules` lists them")
    args.path = args.path or "."
    report = _prepare(args, host, err, Path(args.path), GateSettings()).run()
    service = find_service(report, args.rule)
    if service is None:
        names = ", ".join(s.name for s in report.services) or "none"
        raise UsageError(f"{args.rule!r} is neither a rule (`readiness rules` lists them) nor a service of {args.path} (services: {names})")
    out.write(render_explanation(report, service))
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
    debug = "--debug" in argv
    try:
        host = PluginHost(_host_spec(argv))
        try:
            # argparse prints help, version and usage errors itself; keep them on our streams.
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                args = _build_parser(host).parse_args(argv)
        except SystemExit as exit_:
            return int(exit_.code or 0)
        if args.command in ("scan", "check"):
            return _scan(args, host, out, err)
        if args.command == "plugins":
            return _plugins(host, out)
        if args.command == "rules":
            return _rules(host, out)
        if args.command == "explain":
            return _explain(args, host, out, err)
        out.write(json.dumps(load_schema(), indent=2) + "\n")
        return EXIT_OK
    except UsageError as error:
        print(f"readiness: error: {error}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("readiness: interrupted", file=err)
        return EXIT_INTERNAL
    except Exception as error:
        if debug:
            raise
        print(f"readiness: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", file=err)
        return EXIT_INTERNAL


def console_main() -> None:
    # A scan holds hundreds of thousands of small, long-lived records and makes almost no
    # cyclic garbage; the default threshold (700 allocations) runs the collector thousands
    # of times over them for nothing: 4 s of a 25 s cached rescan of 50,000 files. mypy
    # raises it for the same reason.
    gc.set_threshold(200_000, 30, 30)
    code = main()
    # Freeing a large scan's records one by one at exit takes most of a second, and nothing
    # is left to clean up: the workers are gone, the cache and reports are written.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader went away (``| head``): what it did not read is not an error
    os._exit(code)
