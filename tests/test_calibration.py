"""Calibration: services modelled on public Rust rewrites and on their opposites, with known verdicts.

Strong cases: a Go service fighting its collector under heavy load (Discord's Read States),
a Node.js authorization service on every request (npm's authorization service), a C proxy
parsing untrusted input at the edge (Cloudflare's Pingora), a Python CPU-bound sync engine
(Dropbox's sync engine). Weak cases: an internal admin tool, a young prototype, a thin CRUD
service on a heavy ORM, a data-science service on pandas and scikit-learn, and a service
already in Rust. Each case is a small monorepo slice (``services/NAME``, ``deploy/k8s``) in
``fixtures/calibration/CASE``; its git history is built here, with fixed dates and authors,
and every mix of cases is one repository.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from readiness.config import Settings
from readiness.export import load_schema, report_as_dict
from readiness.model import Report, Verdict
from readiness.pipeline import scan
from readiness.plugin_host import PluginHost

from conftest import FIXTURES

CALIBRATION = FIXTURES / "calibration"
HEAD = datetime(2026, 1, 15, 12, tzinfo=UTC)
COMMENT = {".go": "//", ".c": "//", ".h": "//", ".js": "//", ".rs": "//", ".py": "#", ".yaml": "#", ".html": "<!-- -->"}


@dataclass(frozen=True)
class Change:
    days_ago: int
    path: str
    subject: str
    author: str


@dataclass(frozen=True)
class Case:
    name: str
    verdict: Verdict
    created_days_ago: int
    creator: str
    changes: tuple[Change, ...] = ()


CASES = {
    case.name: case
    for case in (
        Case("read-states", Verdict.STRONG_CANDIDATE, 700, "Jesse Howarth", (
            Change(300, "services/read-states/internal/cache/lru.go", "Fix latency spikes every two minutes caused by forced GC", "Jesse Howarth"),
            Change(240, "deploy/k8s/read-states.yaml", "Tune GOGC to 400 to reduce GC pauses under load", "Stanislav Vishnevskiy"),
            Change(180, "services/read-states/internal/cache/lru.go", "Reduce p99 latency of acks by sharding the LRU", "Jesse Howarth"),
            Change(120, "services/read-states/internal/acks/acks.go", "Fix race condition in flusher batches", "Mason Carter"),
            Change(60, "deploy/k8s/read-states.yaml", "Set GOMEMLIMIT to stop OOMKilled pods at peak", "Priya Natarajan"),
            Change(20, "services/read-states/cmd/readstates/main.go", "Expose cache hit ratio metric", "Mason Carter"),
        )),
        Case("authz", Verdict.STRONG_CANDIDATE, 900, "Ashley Williams", (
            Change(200, "services/authz/src/server.js", "Fix p99 latency spike in token verification under load", "Ashley Williams"),
            Change(150, "services/authz/src/tokens.js", "Cache verified tokens to cut CPU usage of RS256 verification", "Chris Dickinson"),
            Change(90, "services/authz/src/policy.js", "Fix event loop stall when the policy reload runs", "Ashley Williams"),
            Change(45, "deploy/k8s/authz.yaml", "Reduce GC pauses with a larger semi-space", "Kat Marchan"),
            Change(10, "services/authz/src/server.js", "Support scoped package grants", "Chris Dickinson"),
        )),
        Case("edge-proxy", Verdict.STRONG_CANDIDATE, 1200, "Yuchen Wu", (
            Change(330, "services/edge-proxy/src/http.c", "Fix heap buffer overflow in header parser (CVE-2025-21321)", "Yuchen Wu"),
            Change(250, "services/edge-proxy/src/pool.c", "Fix use-after-free when an upstream closes a pooled connection", "Andrew Hauck"),
            Change(190, "services/edge-proxy/src/http.c", "Fix segfault on requests without a Host header", "Yuchen Wu"),
            Change(110, "services/edge-proxy/src/pool.c", "Fix data race in the connection pool free list", "Edward Wang"),
            Change(40, "services/edge-proxy/src/http.c", "Fix out-of-bounds read in chunked body parsing", "Andrew Hauck"),
            Change(15, "deploy/k8s/edge-proxy.yaml", "Raise the autoscaler maximum for the holidays", "Edward Wang"),
        )),
        Case("sync-engine", Verdict.STRONG_CANDIDATE, 1000, "Sujay Jayakar", (
            Change(280, "services/sync-engine/sync_engine/chunking.py", "Fix performance regression in block hashing", "Sujay Jayakar"),
            Change(210, "services/sync-engine/sync_engine/delta.py", "Fix quadratic block diff for large files", "Isaac Goldberg"),
            Change(150, "services/sync-engine/sync_engine/chunking.py", "Reduce CPU usage of the rolling checksum", "Sujay Jayakar"),
            Change(100, "services/sync-engine/sync_engine/main.py", "Fix race condition in namespace commits", "Geoffry Song"),
            Change(30, "deploy/k8s/sync-engine.yaml", "Fix OOMKilled pods on 4 GB uploads", "Isaac Goldberg"),
        )),
        Case("admin-console", Verdict.KEEP, 800, "Dana Support", (
            Change(200, "services/admin-console/app.py", "Add feature flag toggle", "Dana Support"),
            Change(60, "services/admin-console/templates/index.html", "Show customer creation date", "Dana Support"),
        )),
        Case("recs-prototype", Verdict.KEEP, 9, "Robin Growth", tuple(
            Change(days, path, subject, "Robin Growth")
            for days, path, subject in (
                (8, "services/recs-prototype/recs/rules.py", "Try weighting by recency"),
                (7, "services/recs-prototype/main.py", "Call the catalog orders endpoint"),
                (5, "services/recs-prototype/recs/rules.py", "Drop the recency weight again"),
                (4, "services/recs-prototype/main.py", "Return the product id"),
                (2, "services/recs-prototype/recs/rules.py", "Handle empty orders"),
                (1, "services/recs-prototype/main.py", "Shorter catalog timeout"),
            )
        )),
        Case("profiles", Verdict.KEEP, 700, "Sam Crud", (
            Change(300, "services/profiles/accounts/models.py", "Add marketing opt-in", "Sam Crud"),
            Change(100, "services/profiles/accounts/views.py", "Filter addresses by country", "Lee Crud"),
        )),
        Case("churn-model", Verdict.KEEP, 500, "Noor Data", (
            Change(200, "services/churn-model/model/train.py", "Retrain on Q3 data", "Noor Data"),
            Change(30, "services/churn-model/model/features.py", "Add plan features", "Noor Data"),
        )),
        Case("ledger-rs", Verdict.NOT_APPLICABLE, 400, "Ferris Crab", (
            Change(100, "services/ledger-rs/src/main.rs", "Reject transfers in mixed currencies", "Ferris Crab"),
        )),
    )
}
STRONG = ("read-states", "authz", "edge-proxy", "sync-engine")
WEAK = ("admin-console", "recs-prototype", "profiles", "churn-model", "ledger-rs")


def _git(root: Path, *args: str, when: datetime | None = None, author: str = "Calibration") -> None:
    """git for building a calibration repository: no user configuration, the given date and author."""
    date = (when or HEAD).isoformat()
    email = author.lower().replace(" ", ".") + "@example.com"
    env = {
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def build(root: Path, names: Iterable[str]) -> Path:
    """One repository holding the given cases, each created and changed on its own dates, ending at HEAD."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    events: list[tuple[int, int, str, Change | None]] = []
    for name in names:
        case = CASES[name]
        events.append((case.created_days_ago, 0, name, None))
        events += [(change.days_ago, 1, name, change) for change in case.changes]
    for days_ago, _, name, change in sorted(events, key=lambda e: (-e[0], e[1], e[2], e[3].path if e[3] else "")):
        when = HEAD - timedelta(days=days_ago)
        if change is None:
            shutil.copytree(CALIBRATION / name, root, dirs_exist_ok=True)
            _git(root, "add", "-A")
            _git(root, "commit", "-q", "-m", f"Add {name}", when=when, author=CASES[name].creator)
            continue
        target = root / change.path
        prefix = COMMENT[target.suffix]
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"{prefix} {change.subject.lower()}\n" if prefix != "<!-- -->" else f"<!-- {change.subject.lower()} -->\n")
        _git(root, "commit", "-q", "-am", change.subject, when=when, author=change.author)
    return root


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return PluginHost()


def scanned(root: Path, host: PluginHost) -> Report:
    return scan(root, Settings(jobs=1), host)


def verdicts(report: Report) -> dict[str, tuple[Verdict, int | None]]:
    return {score.service: (score.verdict, score.rank) for score in report.scores}


@pytest.fixture(scope="module")
def everything(tmp_path_factory, host) -> Report:
    return scanned(build(tmp_path_factory.mktemp("calibration") / "all", CASES), host)


@pytest.mark.parametrize("name", list(CASES))
def test_each_case_alone_gets_its_verdict(name, tmp_path, host):
    report = scanned(build(tmp_path / name, [name]), host)
    assert verdicts(report) == {name: (CASES[name].verdict, None if CASES[name].verdict is Verdict.NOT_APPLICABLE else 1)}


def test_all_cases_together_get_their_verdicts_and_strong_rank_first(everything):
    assert {name: verdict for name, (verdict, _) in verdicts(everything).items()} == {name: case.verdict for name, case in CASES.items()}
    ranks = {name: rank for name, (_, rank) in verdicts(everything).items() if rank is not None}
    assert max(ranks[name] for name in STRONG) < min(ranks[name] for name in WEAK if name in ranks)


@pytest.mark.parametrize("strong, weak", list(itertools.product(STRONG, WEAK)))
def test_every_strong_case_ranks_above_every_weak_one_in_a_pair(strong, weak, tmp_path, host):
    report = scanned(build(tmp_path / "pair", [strong, weak]), host)
    found = verdicts(report)
    assert found[strong] == (CASES[strong].verdict, 1)
    assert found[weak][0] is CASES[weak].verdict
    assert found[weak][1] in (2, None)


def test_the_json_of_every_case_validates(everything):
    jsonschema.validate(report_as_dict(everything), load_schema())
