"""Churn, ownership, coupling and pain commits, tallied over a stream of commits.

Commits arrive newest first and are folded in one at a time; only running totals are
kept (one per file ever changed in the window, one per service, one per pair of services
changed together), so memory follows the number of files, not of commits. Even the days
a file changed on are bits of one integer, at most a window's worth.

Renames are followed backwards: once a commit renamed ``old`` to ``new``, the older
changes of ``old`` count for the file's current name, and so for the services that own
it now (``Service.files``; several services built from one tree own the same files). A
path no service lists, a file deleted since, belongs to the services of the deepest
service directory holding it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from readiness.model import Criterion, Service

from readiness_plugins._gitlog import HistoryCommit
from readiness_plugins._pain_commits import classify

DAY = 86_400


@dataclass(slots=True)
class ChangeTally:
    """Running totals of the changes to one file or one service."""

    commits: int = 0
    added: int = 0
    removed: int = 0
    first: int = 0
    """Author time of the oldest change seen (0 until one is)."""
    last: int = 0
    day_bits: int = 0
    """Bit n set: a change on the n-th day (UTC) before the anchor day, HEAD's; see :meth:`HistoryTally.day_bit`."""
    authors: Counter[str] = field(default_factory=Counter)
    """Commits per author (after .mailmap)."""
    created: bool = False
    """A commit in the window added the file."""

    @property
    def active_days(self) -> int:
        """Days with at least one change."""
        return self.day_bits.bit_count()

    def record(self, when: int, day_bit: int, author: str, added: int, removed: int) -> None:
        self.commits += 1
        self.added += added
        self.removed += removed
        if not self.first or when < self.first:
            self.first = when
        if when > self.last:
            self.last = when
        self.day_bits |= day_bit
        self.authors[author] = self.authors.get(author, 0) + 1

    def as_json(self) -> list[Any]:
        return [self.commits, self.added, self.removed, self.first, self.last, self.day_bits, dict(self.authors), self.created]

    @classmethod
    def from_json(cls, data: list[Any]) -> ChangeTally:
        commits, added, removed, first, last, day_bits, authors, created = data
        return cls(commits, added, removed, first, last, day_bits, Counter(authors), created)

    def main_author(self) -> tuple[str, float]:
        """The author of most commits (ties by name) and their share of the commits."""
        if not self.commits:
            return "", 0.0
        name, count = min(self.authors.items(), key=lambda item: (-item[1], item[0]))
        return name, count / self.commits


@dataclass(frozen=True, slots=True)
class PainCommit:
    sha: str
    authored: int
    subject: str
    path: str
    """The service's file this commit changed most."""


@dataclass(slots=True)
class PainTally:
    count: int = 0
    cited: list[PainCommit] = field(default_factory=list)
    """The newest ones, up to the citation cap."""


class HistoryTally:
    """Everything the history rules need, folded from commits one at a time."""

    def __init__(
        self, services: Iterable[Service], *, anchor: int, window_days: int, cited_commits: int, coupling_max_files: int, skip_root_changes: bool = False
    ) -> None:
        service_list = list(services)
        self._anchor_day = anchor // DAY
        self._window_days = window_days
        self._owners: dict[str, tuple[str, ...]] = {}
        for service in service_list:
            for path in service.files:
                self._owners[path] = (*self._owners.get(path, ()), service.name)
        by_directory: dict[str, tuple[str, ...]] = {}
        for service in service_list:
            by_directory[service.path] = (*by_directory.get(service.path, ()), service.name)
        self._deepest_first = sorted(by_directory.items(), key=lambda item: (-len(item[0]), item[0]))
        self._directory = {service.name: service.path for service in service_list}
        self._aliases: dict[str, str] = {}
        self._cited_commits = cited_commits
        self._coupling_max_files = coupling_max_files
        self._skip_root_changes = skip_root_changes
        self.files: dict[str, ChangeTally] = {}
        self.services: dict[str, ChangeTally] = {s.name: ChangeTally() for s in service_list}
        self.pain: dict[tuple[str, Criterion], PainTally] = {}
        self.coupling: Counter[tuple[str, str]] = Counter()
        self.commits = 0
        self.oldest = 0
        self.newest = 0
        self.root_commits_skipped = 0

    def totals_as_json(self) -> dict[str, Any]:
        """The totals, as JSON data: what the rules read once every commit is folded in."""
        return {
            "files": {path: tally.as_json() for path, tally in self.files.items()},
            "services": {name: tally.as_json() for name, tally in self.services.items()},
            "pain": [
                [service, criterion.value, pain.count, [[c.sha, c.authored, c.subject, c.path] for c in pain.cited]]
                for (service, criterion), pain in self.pain.items()
            ],
            "coupling": [[first, second, count] for (first, second), count in self.coupling.items()],
            "counts": [self.commits, self.oldest, self.newest, self.root_commits_skipped],
        }

    def restore_totals(self, data: dict[str, Any]) -> None:
        """Take the totals :meth:`totals_as_json` gave, for the same services and settings."""
        self.files = {path: ChangeTally.from_json(tally) for path, tally in data["files"].items()}
        self.services = {name: ChangeTally.from_json(tally) for name, tally in data["services"].items()}
        self.pain = {
            (service, Criterion(criterion)): PainTally(count, [PainCommit(*cited) for cited in citations])
            for service, criterion, count, citations in data["pain"]
        }
        self.coupling = Counter({(first, second): count for first, second, count in data["coupling"]})
        self.commits, self.oldest, self.newest, self.root_commits_skipped = data["counts"]

    def owners(self, path: str) -> tuple[str, ...]:
        """The services ``path`` belongs to: those listing it, else those of its deepest service directory."""
        owners = self._owners.get(path)
        if owners is None:
            owners = self._owners[path] = next(
                (names for directory, names in self._deepest_first if directory == "." or path.startswith(directory + "/")),
                (),
            )
        return owners

    def day_bit(self, when: int) -> int:
        """The bit of ``when``'s day: days counted back from the anchor's, author dates older
        than the window (rebased work) sharing the oldest bit, later ones the newest."""
        return 1 << min(max(self._anchor_day - when // DAY, 0), self._window_days)

    def add(self, commit: HistoryCommit) -> None:
        self.commits += 1
        self.oldest = commit.authored if not self.oldest else min(self.oldest, commit.authored)
        self.newest = max(self.newest, commit.authored)
        if self._skip_root_changes and not commit.parents:
            # At a shallow clone's boundary git shows the whole tree as added by this commit.
            self.root_commits_skipped += 1
            return
        author = commit.author.name or commit.author.email or "unknown"
        when = commit.authored
        day_bit = self.day_bit(when)
        per_service: dict[str, list[tuple[int, int, str]]] = {}
        aliases, files = self._aliases, self.files
        for path, change in commit.stats.files.items():
            current = aliases.get(path, path)  # type: ignore[call-overload]
            added, removed = change["insertions"], change["deletions"]
            tally = files.get(current)
            if tally is None:
                tally = files[current] = ChangeTally()
            tally.record(when, day_bit, author, added, removed)
            if change["change_type"] == "A":
                tally.created = True
            for service in self.owners(current):
                per_service.setdefault(service, []).append((added, removed, current))
        for new, old in commit.renamed_from.items():
            self._aliases[old] = self._aliases.get(new, new)
        for service, changes in per_service.items():
            self.services[service].record(when, day_bit, author, sum(c[0] for c in changes), sum(c[1] for c in changes))
        if len(per_service) > 1 and len(commit.stats.files) <= self._coupling_max_files:
            # Services built from one tree change together by construction, not by coupling.
            self.coupling.update(pair for pair in combinations(sorted(per_service), 2) if self._directory[pair[0]] != self._directory[pair[1]])
        criterion = classify(commit.subject) if per_service else None
        if criterion is not None:
            for service, changes in per_service.items():
                pain = self.pain.setdefault((service, criterion), PainTally())
                pain.count += 1
                if len(pain.cited) < self._cited_commits:
                    *_, path = min(changes, key=lambda change: (-change[0] - change[1], change[2]))
                    pain.cited.append(PainCommit(commit.sha, when, commit.subject, path))
