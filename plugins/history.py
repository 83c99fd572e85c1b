"""History evidence: churn, hotspots, ownership, coupling and the bugs a service keeps fixing.

One pass over ``git log`` per scan (``readiness_analyze_repository``), over a window that
ends at HEAD's commit time, so the same commit always gives the same report: the last
``window_days`` days (365) and at most ``max_commits`` commits (20,000), merges left out
(their changes are counted in the commits they merge). Configure it in
``[tool.readiness.plugins.history]`` or with ``--history-days``, ``--history-max-commits``
and ``--no-history``.

Per file and per service: commits, lines added and removed, days with a change, first
and last change, authors after ``.mailmap``. From those: hotspots (change frequency times
size), owners, change coupling between services, and pain commits (subjects that say a
latency, memory-safety, concurrency, performance or memory problem was fixed).

When git cannot give everything, the pass says so in one warning and keeps what it has:
no git or no commits (nothing), a shallow clone (the commits it has, without the
boundary commit's whole-tree diff), missing blobs of a partial clone (files changed per
commit, without line counts), a cap reached (the newest commits).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.git import GitError, find_git_dir
from readiness.model import Criterion, Diagnostic, FileKind, FileRecord, Finding, Repository, Rule, Service

from readiness_plugins._gitlog import Detail, HistoryError, LogRange, RepositoryState, read_history, repository_state
from readiness_plugins._history_metrics import DAY, ChangeTally, HistoryTally, PainTally
from readiness_plugins._pain_commits import KIND_NAMES

DEFAULT_GIT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """``[tool.readiness.plugins.history]``; every threshold the rules use."""

    enabled: bool = True
    window_days: int = 365
    max_commits: int = 20_000
    cited_commits: int = 20
    """Pain commits cited per service and criterion (all are counted)."""
    hotspots_per_service: int = 5
    hotspot_min_commits: int = 3
    few_authors: int = 2
    """A service with at most this many authors in the window is a knowledge risk..."""
    main_author_share: float = 0.8
    """...and so is one where a single author wrote at least this share of the commits."""
    min_commits: int = 5
    """Fewer commits than this say too little about churn, ownership or pace to judge."""
    churn_ratio: float = 1.0
    """HIST110: lines added and removed in the window, over the service's code lines."""
    young_days: int = 180
    young_active_share: float = 0.5
    coupling_min_shared: int = 5
    coupling_min_degree: float = 0.3
    coupling_max_files: int = 50
    """Commits changing more files (mass reformatting, dependency bumps) say nothing about coupling."""


def load_history_settings(settings: Settings) -> tuple[HistorySettings, list[Diagnostic]]:
    """The plugin's settings from configuration and command line, and a warning per ignored value."""
    table: Mapping[str, Any] = settings.plugins.get("history", {})
    defaults = HistorySettings()
    values: dict[str, Any] = {}
    warnings = []
    known = {f.name for f in fields(HistorySettings)}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known:
            warnings.append(Diagnostic("warning", f"history: unknown setting {key!r} in [tool.readiness.plugins.history] ignored"))
            continue
        default = getattr(defaults, name)
        if not _valid(name, default, value):
            warnings.append(Diagnostic("warning", f"history: {key} = {value!r} is not valid, using {default!r}"))
            continue
        values[name] = value
    options = settings.options
    if options.get("history_days") is not None:
        values["window_days"] = max(1, int(options["history_days"]))
    if options.get("history_max_commits") is not None:
        values["max_commits"] = max(1, int(options["history_max_commits"]))
    if options.get("no_history"):
        values["enabled"] = False
    return replace(defaults, **values), warnings


def _valid(name: str, default: object, value: object) -> bool:
    """Booleans for switches, non-negative integers for counts, shares and degrees between 0 and 1."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(default, int):
        return isinstance(value, int) and value >= (1 if name in ("window_days", "max_commits") else 0)
    return 0 <= value <= 1 if name.endswith(("_share", "_degree")) else value >= 0


def _doc(finds: str, why: str, example: str) -> str:
    return f"## What it finds\n{finds}\n\n## Why it matters for a Rust rewrite\n{why}\n\n## Example\n{example}\n"


_PAIN_EXAMPLE = """A commit in the window whose subject reads

```
{subject}
```

gives one finding on the file of the service it changed most, citing its sha, date and
subject; every finding of the service and rule carries the total in `service_pain_commits`."""

LATENCY_FIXES = Rule(
    "HIST101",
    "latency-fix-commits",
    Criterion.LATENCY,
    _doc(
        "Commits in the history window whose subject says they fixed latency spikes, tail "
        "latency, timeouts, hung or stalled requests or garbage-collection pauses.",
        "A service that keeps fixing latency is paying for unpredictable response times. "
        "Rust has no garbage collector to pause the world, and its async runtimes make "
        "blocking the event loop visible; these are the problems the rewrite removes.",
        _PAIN_EXAMPLE.format(subject="Fix p99 latency spike in cart lookup"),
    ),
)
MEMORY_SAFETY_FIXES = Rule(
    "HIST102",
    "memory-safety-fix-commits",
    Criterion.SECURITY,
    _doc(
        "Commits whose subject says they fixed a buffer overflow, out-of-bounds access, "
        "use-after-free, double free, segfault, null dereference, memory corruption, a leak, "
        "or a CVE.",
        "These are the defects Rust's ownership and borrow checker rule out at compile time "
        "(leaks become rare with ownership-based cleanup). A service with a record of them "
        "gains the most safety from a rewrite.",
        _PAIN_EXAMPLE.format(subject="Fix heap overflow in base64 decoder"),
    ),
    level="warning",
)
CONCURRENCY_FIXES = Rule(
    "HIST103",
    "concurrency-fix-commits",
    Criterion.CONCURRENCY,
    _doc(
        "Commits whose subject says they fixed a race condition, data race, deadlock, "
        "livelock or thread-safety bug.",
        "Rust's `Send` and `Sync` make unsynchronised sharing between threads a compile "
        "error; data races cannot be written in safe Rust. A history of race fixes is "
        "evidence the service shares mutable state across threads and gets it wrong.",
        _PAIN_EXAMPLE.format(subject="Fix race condition in session cache"),
    ),
)
PERFORMANCE_FIXES = Rule(
    "HIST104",
    "performance-fix-commits",
    Criterion.PERFORMANCE,
    _doc(
        "Commits whose subject says they fixed a performance regression, slowness, CPU burn, "
        "quadratic behaviour or a throughput drop.",
        "Repeated performance fixes mean the service runs close to its limits; compiled Rust "
        "without a runtime gives more headroom per core.",
        _PAIN_EXAMPLE.format(subject="Fix performance regression in JSON serialization"),
    ),
)
MEMORY_FOOTPRINT_FIXES = Rule(
    "HIST105",
    "memory-footprint-fix-commits",
    Criterion.COST,
    _doc(
        "Commits whose subject says they fixed out-of-memory kills (OOM, OOMKilled, "
        "OutOfMemoryError) or excessive memory use.",
        "Memory is what containers are sized and billed by. Rust services typically need a "
        "fraction of the memory of a JVM, Node.js or Python service doing the same work, "
        "so a service that keeps running out of memory is a cost saving waiting.",
        _PAIN_EXAMPLE.format(subject="Fix OOMKilled pods in ingestion worker"),
    ),
)
PAIN_RULES = {
    Criterion.LATENCY: LATENCY_FIXES,
    Criterion.SECURITY: MEMORY_SAFETY_FIXES,
    Criterion.CONCURRENCY: CONCURRENCY_FIXES,
    Criterion.PERFORMANCE: PERFORMANCE_FIXES,
    Criterion.COST: MEMORY_FOOTPRINT_FIXES,
}

HIGH_CHURN = Rule(
    "HIST110",
    "high-churn",
    Criterion.FIT,
    _doc(
        "Services whose code changed heavily in the history window: at least `min_commits` "
        "commits, and lines added and removed adding up to at least `churn_ratio` times the "
        "service's code lines (by default, as much change as there is code). The finding "
        "carries the service's churn: commits, lines added and removed, days with a change, "
        "authors, first and last change.",
        "Code that churns this much is still being discovered: rewriting it means chasing a "
        "moving target, the \"rapid prototyping\" case where Rust's longer initial "
        "development costs most. Stable code with a settled contract is the easiest to port "
        "piece by piece.",
        "```\nservices/cart: 42 commits by 3 authors on 30 days in the 365 days to HEAD; "
        "+3,890/-2,204 lines (1.575x its 3,870 lines of code); last change 2026-01-12\n```",
    ),
)
HOTSPOT = Rule(
    "HIST111",
    "hotspot",
    Criterion.SIZE,
    _doc(
        "The files of each service that change most often weighted by their size: change "
        "frequency (commits in the window) times code lines, ranked, as CodeScene and "
        "code-maat define a hotspot. Only source files (a rewrite ports the product's "
        "behaviour; its tests follow) with at least `hotspot_min_commits` commits; the top "
        "`hotspots_per_service` per service.",
        "Hotspots are where a service's behaviour is densest and least settled: the code a "
        "rewrite must reproduce most carefully, and the first place its effort goes. They "
        "are also the best first candidates to port behind an interface.",
        "```\nservices/cart/pricing.py: hotspot #1 of cart: 14 commits on 12 days x 420 lines "
        "of code = 5,880\n```",
    ),
)
FEW_CONTRIBUTORS = Rule(
    "HIST120",
    "few-contributors",
    Criterion.TEAM,
    _doc(
        "Services whose history in the window has at most `few_authors` authors, or one "
        "author with at least `main_author_share` of the commits (authors are merged by "
        "`.mailmap`). Services with fewer than `min_commits` commits are not judged.",
        "A rewrite needs people who know what the code really does. When one or two people "
        "hold that knowledge, the rewrite depends on them, and Rust's smaller talent pool "
        "makes them harder to replace.",
        "```\nservices/billing: 1 author in the window; Ada Lovelace wrote 100% of its 23 commits\n```",
    ),
)
YOUNG_CODE = Rule(
    "HIST121",
    "young-code",
    Criterion.FIT,
    _doc(
        "Services whose every file was created inside the window (followed through renames), at most "
        "`young_days` days before HEAD, and that changed on at least `young_active_share` of "
        "the days since: young code still changing almost daily.",
        "The documents call Rust a poor fit for rapid prototyping. Code this young is still "
        "finding its shape; let it settle before paying Rust's longer initial development.",
        "```\nservices/recommendations: created 2025-12-01, 45 days before HEAD; changed on "
        "31 of its 46 days (67%)\n```",
    ),
)
CHANGE_COUPLING = Rule(
    "HIST130",
    "change-coupling",
    Criterion.BOUNDARY,
    _doc(
        "Pairs of services whose files change in the same commits: at least "
        "`coupling_min_shared` shared commits and a degree (shared commits over the mean of "
        "the two services' commits, as code-maat computes it) of at least "
        "`coupling_min_degree`. Commits touching more than `coupling_max_files` files are "
        "left out. Each service of the pair gets a finding naming the other.",
        "Services that must change together are not independent, whatever their deployment "
        "says: a piece-by-piece rewrite of one drags the other along, and their contract is "
        "implicit. A clean boundary is what makes an incremental rewrite safe.",
        "```\nservices/cart: changed together with inventory in 12 of its 30 commits "
        "(degree 48%)\n```",
    ),
)

RULES = [*PAIN_RULES.values(), HIGH_CHURN, HOTSPOT, FEW_CONTRIBUTORS, YOUNG_CODE, CHANGE_COUPLING]


@hookimpl
def readiness_rules() -> list[Rule]:
    return RULES


@hookimpl
def readiness_add_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--no-history", action="store_true", help="do not read git history")
    group.add_argument("--history-days", type=int, metavar="DAYS", help="history window in days before HEAD (default: 365)")
    group.add_argument("--history-max-commits", type=int, metavar="N", help="read at most N commits of history (default: 20000)")


@hookimpl
def readiness_analyze_repository(repo: Repository, services: tuple[Service, ...], settings: Settings) -> list[Finding | Diagnostic]:
    config, warnings = load_history_settings(settings)
    results: list[Finding | Diagnostic] = list(warnings)
    if not config.enabled:
        return results
    if repo.info.vcs != "git":
        if find_git_dir(repo.root) is None:
            results.append(Diagnostic("warning", "history: not a git repository, so no churn, ownership or pain-commit evidence"))
        # Otherwise the inventory has already said why git is not used for this scan.
        return results
    timeout = float(settings.options.get("git_timeout") or DEFAULT_GIT_TIMEOUT)
    try:
        state = repository_state(repo.root, timeout)
    except GitError as error:
        return [*results, Diagnostic("warning", f"history: not read: {error}")]
    if state is None:
        return [*results, Diagnostic("warning", "history: the repository has no commits yet")]
    if state.bare:
        return results  # no work tree, so no files or services for history to describe; the inventory said so
    blocking = _blocking_attributes(repo, state)
    if blocking is not None:
        return [*results, Diagnostic("warning", f"history: not read: {blocking} is not a regular file, git would block reading it", path=blocking)]
    mined = _mine(repo, services, config, state, timeout)
    results.extend(mined.warnings)
    if mined.tally is not None:
        results.extend(_findings(repo, services, config, state, mined.tally))
    return results


@dataclass(slots=True)
class _Mined:
    tally: HistoryTally | None
    warnings: list[Diagnostic]


def _blocking_attributes(repo: Repository, state: RepositoryState) -> str | None:
    """A ``.gitattributes`` that is a FIFO, device or link: git reads attributes to diff, and could hang on it.

    Looked for in every directory holding a listed file (git lists no FIFO, so the
    inventory cannot say) and in those between the work tree's top and the scanned root.
    """
    directories = {record.path.rpartition("/")[0] for record in repo.files} | {""}
    top = str(repo.root)
    for directory in sorted(directories):
        # A string path: pathlib costs more than the lstat itself, once per directory of the tree.
        if not _regular_or_absent(os.path.join(top, directory, ".gitattributes")):
            return f"{directory}/.gitattributes" if directory else ".gitattributes"
    for attributes in _attributes_above(repo.root, state.toplevel):
        if not _regular_or_absent(attributes):
            return Path(os.path.relpath(attributes, repo.root.resolve())).as_posix()
    return None


def _attributes_above(root: Path, toplevel: Path) -> list[Path]:
    """The ``.gitattributes`` git reads between the work tree's top and the scanned root, which the inventory does not list."""
    found = []
    above = root.resolve()
    while above != toplevel and above != above.parent:
        above = above.parent
        found.append(above / ".gitattributes")
    return found


def _regular_or_absent(path: str | Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return True


def _mine(repo: Repository, services: tuple[Service, ...], config: HistorySettings, state: RepositoryState, timeout: float) -> _Mined:
    """The folded history and the warnings about reading it: recalled for this HEAD commit, or read now."""
    warnings = []
    mailmap = _regular_or_absent(state.toplevel / ".mailmap")
    if not mailmap:
        warnings.append(Diagnostic("warning", "history: .mailmap is not a regular file, so authors are not merged by it", path=".mailmap"))
    log_range = LogRange(
        since=state.head_committed - config.window_days * DAY,
        max_commits=config.max_commits,
        subdirectory=state.subdirectory,
        mailmap=mailmap,
    )
    if state.detached:
        warnings.append(Diagnostic("warning", "history: detached HEAD: reading the history of the checked-out commit"))

    def empty() -> HistoryTally:
        return HistoryTally(
            services,
            anchor=state.head_committed,
            window_days=config.window_days,
            cited_commits=config.cited_commits,
            coupling_max_files=config.coupling_max_files,
            skip_root_changes=state.shallow,
        )

    def tally(detail: Detail) -> HistoryTally:
        folded = empty()
        for commit in read_history(repo.root, log_range, detail, timeout):
            folded.add(commit)
        return folded

    def fold() -> tuple[list[str], HistoryTally]:
        """One pass with line counts; if git cannot read the blobs for them, one pass without."""
        try:
            return [], tally(Detail.LINES)
        except HistoryError as error:
            if error.timed_out:
                raise
            return [f"history: {error}; counting changed files per commit, without line counts"], tally(Detail.FILES)

    def kept() -> dict[str, Any]:
        notes, folded = fold()
        return {"notes": notes, "totals": folded.totals_as_json()}

    try:
        if state.shallow:
            # Deepening a shallow clone changes its history under the same HEAD: read it every time.
            notes, folded = fold()
        else:
            # A rescan at the same commit (a pre-commit hook, a second run) reads no history.
            recalled = repo.at_head(HISTORY_MEMO, _memo_inputs(repo, services, config, state, log_range), kept)
            notes, folded = recalled["notes"], empty()
            folded.restore_totals(recalled["totals"])
    except HistoryError as error:
        warnings.append(Diagnostic("warning", f"history: not read: {error}"))
        return _Mined(None, warnings)
    warnings.extend(Diagnostic("warning", note) for note in notes)
    if state.shallow:
        warnings.append(Diagnostic("warning", f"history: shallow clone: only {folded.commits:,} commits back to {_date(folded.oldest)} are available"))
    if folded.commits >= config.max_commits:
        warnings.append(Diagnostic(
            "warning",
            f"history: stopped at the cap of {config.max_commits:,} commits, back to {_date(folded.oldest)} instead of {config.window_days} days",
        ))
    return _Mined(folded, warnings)


HISTORY_MEMO = "history/1"
"""The name the folded history is kept under (:meth:`Repository.at_head`); a new version for a new shape."""


def _memo_inputs(repo: Repository, services: tuple[Service, ...], config: HistorySettings, state: RepositoryState, log_range: LogRange) -> dict[str, Any]:
    """Besides HEAD, what the folded history depends on: the services' files, the settings
    that fold it, and the files git reads for it that can change without a commit."""
    owned = hashlib.sha256()
    for service in services:
        owned.update(json.dumps([service.name, service.path, service.files]).encode("utf-8", "surrogateescape"))
    read_by_git = [state.toplevel / ".mailmap", *_attributes_above(repo.root, state.toplevel)]
    git_dir = find_git_dir(repo.root)
    if git_dir is not None:
        read_by_git.append(git_dir / "info" / "attributes")
    return {
        "services": owned.hexdigest(),
        "settings": [config.window_days, config.max_commits, config.cited_commits, config.coupling_max_files],
        "range": [log_range.since, log_range.subdirectory, log_range.mailmap],
        # As git trusts its index: a file whose size and times are the same is the same.
        "files": [[str(path), _stat_key(path)] for path in read_by_git],
    }


def _stat_key(path: Path) -> list[int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).date().isoformat() if epoch else ""


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _days_between(earlier: int, later: int) -> int:
    return max(0, later // DAY - earlier // DAY)


def _findings(repo: Repository, services: tuple[Service, ...], config: HistorySettings, state: RepositoryState, tally: HistoryTally) -> list[Finding]:
    head = state.head_committed
    findings: list[Finding] = []
    pain_totals = {service: 0 for service in tally.services}
    for (service, _), pain in tally.pain.items():
        pain_totals[service] += pain.count
    for service in services:
        churn = tally.services[service.name]
        for finding in (
            _churn_finding(service, churn, config, head, pain_totals[service.name]),
            _ownership_finding(service, churn, config),
            _young_finding(service, churn, tally, config, head),
        ):
            if finding is not None:
                findings.append(finding)
    findings.extend(_pain_findings(services, tally))
    findings.extend(_hotspot_findings(repo, services, tally, config, head))
    findings.extend(_coupling_findings(services, tally, config))
    return findings


def _churn_finding(service: Service, churn: ChangeTally, config: HistorySettings, head: int, pain_commits: int) -> Finding | None:
    code = sum(totals.code for totals in service.languages)
    changed = churn.added + churn.removed
    if churn.commits < config.min_commits or not code or changed < config.churn_ratio * code:
        return None
    main_author, share = churn.main_author()
    facts: dict[str, str | int | float | bool] = {
        "commits": churn.commits,
        "lines_added": churn.added,
        "lines_removed": churn.removed,
        "active_days": churn.active_days,
        "authors": len(churn.authors),
        "main_author": main_author,
        "main_author_share": round(share, 3),
        "first_change": _date(churn.first),
        "last_change": _date(churn.last),
        "days_since_change": _days_between(churn.last, head),
        "window_days": config.window_days,
        "code_lines": code,
        "churn_ratio": round(changed / code, 3),
        "pain_commits": pain_commits,
    }
    message = (
        f"{churn.commits:,} commits by {_count(len(churn.authors), 'author')} on {_count(churn.active_days, 'day')} in the "
        f"{config.window_days} days to HEAD; +{churn.added:,}/-{churn.removed:,} lines "
        f"({facts['churn_ratio']}x its {code:,} lines of code); last change {_date(churn.last)}"
    )
    return replace(HIGH_CHURN.finding(service.path, 1, message, facts=facts), service=service.name)


def _ownership_finding(service: Service, churn: ChangeTally, config: HistorySettings) -> Finding | None:
    if churn.commits < config.min_commits:
        return None
    main_author, share = churn.main_author()
    authors = len(churn.authors)
    if authors > config.few_authors and share < config.main_author_share:
        return None
    message = (
        f"{_count(authors, 'author')} in the window; "
        f"{main_author} wrote {share:.0%} of its {churn.commits:,} commits"
    )
    facts = {"authors": authors, "main_author": main_author, "main_author_share": round(share, 3), "commits": churn.commits}
    return replace(FEW_CONTRIBUTORS.finding(service.path, 1, message, facts=facts), service=service.name)


def _young_finding(service: Service, churn: ChangeTally, tally: HistoryTally, config: HistorySettings, head: int) -> Finding | None:
    if churn.commits < config.min_commits:
        return None
    histories = [tally.files.get(path) for path in service.files]
    if not histories or any(history is None or not history.created for history in histories):
        return None
    age = _days_between(churn.first, head)
    share = churn.active_days / (age + 1)
    if age > config.young_days or share < config.young_active_share:
        return None
    message = f"created {_date(churn.first)}, {age} days before HEAD; changed on {churn.active_days} of its {age + 1} days ({share:.0%})"
    facts = {"created": _date(churn.first), "age_days": age, "active_days": churn.active_days, "active_share": round(share, 3), "commits": churn.commits}
    return replace(YOUNG_CODE.finding(service.path, 1, message, facts=facts), service=service.name)


def _pain_findings(services: tuple[Service, ...], tally: HistoryTally) -> list[Finding]:
    findings = []
    for service in services:
        commits = tally.services[service.name].commits
        for criterion, rule in PAIN_RULES.items():
            pain = tally.pain.get((service.name, criterion), PainTally())
            for cited in pain.cited:
                message = f"{cited.sha[:12]} {_date(cited.authored)} fixed {KIND_NAMES[criterion]}: {cited.subject}"
                facts = {
                    "sha": cited.sha,
                    "date": _date(cited.authored),
                    "subject": cited.subject,
                    "service_pain_commits": pain.count,
                    "service_commits": commits,
                }
                findings.append(replace(rule.finding(cited.path, 1, message, snippet=cited.sha, facts=facts), service=service.name))
    return findings


def file_weight(record: FileRecord, repo: Repository) -> int:
    """How much code a file holds, the size half of a hotspot.

    Code lines from the inventory today. When per-file complexity is available (the code
    evidence plugins measure it), this is the one place to use it instead.
    """
    if record.lines is not None:
        return record.lines.code
    data = repo.read_bytes(record.path)
    return sum(1 for line in data.splitlines() if line.strip()) if data else 0


def _hotspot_findings(repo: Repository, services: tuple[Service, ...], tally: HistoryTally, config: HistorySettings, head: int) -> list[Finding]:
    """Each service's hotspots among its files, and those among the files no service owns."""
    weighed: dict[str, tuple[int, FileRecord, ChangeTally, int]] = {}
    for record in repo.files:
        history = tally.files.get(record.path)
        if record.counted and record.kind is FileKind.SOURCE and history is not None and history.commits >= config.hotspot_min_commits:
            weight = file_weight(record, repo)
            if weight:
                weighed[record.path] = (history.commits * weight, record, history, weight)
    owned = {path for service in services for path in service.files}
    groups: list[tuple[str | None, list[tuple[int, FileRecord, ChangeTally, int]]]] = [
        (service.name, [weighed[path] for path in service.files if path in weighed]) for service in services
    ]
    groups.append((None, [candidate for path, candidate in weighed.items() if path not in owned]))
    findings = []
    for service, candidates in groups:
        candidates.sort(key=lambda item: (-item[0], item[1].path))
        for rank, (score, record, history, weight) in enumerate(candidates[: config.hotspots_per_service], 1):
            message = (
                f"hotspot #{rank} of {service or 'the files outside services'}: {_count(history.commits, 'commit')} on "
                f"{_count(history.active_days, 'day')} x {weight:,} lines of code = {score:,}"
            )
            facts = {
                "rank": rank,
                "hotspot_score": score,
                "commits": history.commits,
                "code_lines": weight,
                "lines_added": history.added,
                "lines_removed": history.removed,
                "active_days": history.active_days,
                "authors": len(history.authors),
                "first_change": _date(history.first),
                "last_change": _date(history.last),
                "days_since_change": _days_between(history.last, head),
                "created_in_window": history.created,
            }
            findings.append(replace(HOTSPOT.finding(record.path, 1, message, facts=facts), service=service))
    return findings


def _coupling_findings(services: tuple[Service, ...], tally: HistoryTally, config: HistorySettings) -> list[Finding]:
    paths = {service.name: service.path for service in services}
    findings = []
    for (first, second), shared in sorted(tally.coupling.items()):
        commits = {name: tally.services[name].commits for name in (first, second)}
        degree = shared / ((commits[first] + commits[second]) / 2)
        if shared < config.coupling_min_shared or degree < config.coupling_min_degree:
            continue
        for this, other in ((first, second), (second, first)):
            message = f"changed together with {other} in {shared} of its {commits[this]} commits (degree {degree:.0%})"
            facts = {
                "coupled_service": other,
                "shared_commits": shared,
                "commits": commits[this],
                "other_commits": commits[other],
                "degree": round(degree, 3),
            }
            findings.append(replace(CHANGE_COUPLING.finding(paths[this], 1, message, snippet=other, facts=facts), service=this))
    return findings
