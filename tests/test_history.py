"""History evidence end to end: histories with fixed dates and authors, scanned through the CLI.

Each rule has its own history below, small enough to count by hand; the expected numbers
in the tests are those counts. Services are marked with a ``SERVICE`` file that the
stand-in detector in tests/support_plugins recognises.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import asdict
from pathlib import Path

import jsonschema
import pytest

from readiness.export import load_schema
from readiness.plugin_host import PluginHost
from readiness_plugins.history import RULES, HistorySettings

from conftest import Commit, git, lines

SUPPORT = Path(__file__).parent / "support_plugins"
GRACE = "Grace Hopper <grace@example.com>"
LINUS = "Linus Torvalds <linus@example.com>"


EVERY_SERVICE_CHURN = "[plugins.history]\nmin_commits = 1\nchurn_ratio = 0\n"
"""Configuration under which HIST110 reports every service with a commit: for tests that need its numbers."""


def scan(run_cli, root: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", root, "--plugins-dir", SUPPORT, "--format", "json", *extra)
    assert code == 0, err
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    assert [e for e in report["errors"] if e["plugin"] == "history"] == []
    return report


def scan_reporting_all_churn(run_cli, root: Path, tmp_path: Path, *extra: str) -> dict:
    config = tmp_path / "every-service-churn.toml"
    config.write_text(EVERY_SERVICE_CHURN)
    return scan(run_cli, root, "--config", config, *extra)


def of_rule(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def history_warnings(report: dict) -> list[str]:
    return [w["message"] for w in report["warnings"] if w["message"].startswith("history:")]


def shas(root: Path) -> dict[str, str]:
    log = git(root, "log", "--format=%H %s")
    return {subject: sha for sha, _, subject in (line.partition(" ") for line in log.splitlines())}


# --- HIST101-105: pain commits -------------------------------------------------------

PAIN = [
    Commit("2024-11-01T10:00:00+00:00", "Add cart and media services", {
        "services/cart/SERVICE": "", "services/cart/app.py": lines(3, "cart"),
        "services/media/SERVICE": "", "services/media/codec.py": lines(3, "codec"),
    }),
    Commit("2025-02-03T10:00:00+00:00", "Fix p99 latency spike in cart lookup", {"services/cart/app.py": lines(4, "cart")}),
    Commit("2025-03-04T10:00:00+00:00", "Fix heap overflow in frame decoder", {"services/media/codec.py": lines(4, "codec")}, GRACE),
    Commit("2025-04-05T10:00:00+00:00", "Fix race condition in session cache", {"services/cart/app.py": lines(5, "cart")}, GRACE),
    Commit("2025-05-06T10:00:00+00:00", "Fix performance regression in thumbnail scaling", {"services/media/codec.py": lines(5, "codec")}, LINUS),
    Commit("2025-06-07T10:00:00+00:00", "Fix OOMKilled pods in media worker", {
        "services/media/codec.py": lines(6, "codec"), "services/media/worker.py": lines(5, "worker"),
    }, LINUS),
    Commit("2025-07-08T10:00:00+00:00", "Fix typo in timeout section of README", {"services/cart/README.md": "Timeouts\n"}),
    Commit("2025-08-09T10:00:00+00:00", "Add race track asset", {"services/cart/race.svg": "<svg/>\n"}, GRACE),
    Commit("2025-09-10T10:00:00+00:00", "fix(api): handle upstream timeout when pricing is slow", {
        "services/cart/app.py": lines(6, "cart"), "services/media/codec.py": lines(7, "codec"),
    }),
    Commit("2026-01-15T12:00:00+00:00", "Add cart totals", {"services/cart/app.py": lines(7, "cart")}),
]


def test_pain_commits_are_cited_per_service_and_criterion(make_history, run_cli, tmp_path):
    repo = make_history(PAIN)
    report = scan_reporting_all_churn(run_cli, repo, tmp_path)
    sha = shas(repo)
    expected = [
        # rule, service, path, subject, date, that service's commits of that rule, its commits in the window
        ("HIST101", "cart", "services/cart/app.py", "Fix p99 latency spike in cart lookup", "2025-02-03", 2, 6),
        ("HIST101", "cart", "services/cart/app.py", "fix(api): handle upstream timeout when pricing is slow", "2025-09-10", 2, 6),
        ("HIST101", "media", "services/media/codec.py", "fix(api): handle upstream timeout when pricing is slow", "2025-09-10", 1, 4),
        ("HIST102", "media", "services/media/codec.py", "Fix heap overflow in frame decoder", "2025-03-04", 1, 4),
        ("HIST103", "cart", "services/cart/app.py", "Fix race condition in session cache", "2025-04-05", 1, 6),
        ("HIST104", "media", "services/media/codec.py", "Fix performance regression in thumbnail scaling", "2025-05-06", 1, 4),
        # worker.py is the file of the commit that changed most (+5 against +1/-1 in codec.py).
        ("HIST105", "media", "services/media/worker.py", "Fix OOMKilled pods in media worker", "2025-06-07", 1, 4),
    ]
    kinds = {"HIST101": "latency", "HIST102": "memory safety", "HIST103": "concurrency", "HIST104": "performance", "HIST105": "memory footprint"}
    found = sorted(
        (f["rule"], f["service"], f["path"], f["facts"]["subject"], f["facts"]["date"], f["facts"]["service_pain_commits"], f["facts"]["service_commits"])
        for f in report["findings"]
        if f["rule"] in kinds
    )
    assert found == sorted(expected)
    for finding in report["findings"]:
        if finding["rule"] in kinds:
            facts = finding["facts"]
            assert facts["sha"] == sha[facts["subject"]]
            assert finding["message"] == f"{facts['sha'][:12]} {facts['date']} fixed {kinds[finding['rule']]}: {facts['subject']}"
    churn = {f["service"]: f["facts"]["pain_commits"] for f in of_rule(report, "HIST110")}
    assert churn == {"cart": 3, "media": 4}


def test_citations_are_capped_but_all_are_counted(make_history, run_cli):
    repo = make_history(PAIN)
    (repo / "readiness.toml").write_text("[plugins.history]\ncited_commits = 1\n")
    report = scan(run_cli, repo)
    latency = [(f["service"], f["facts"]["subject"], f["facts"]["service_pain_commits"]) for f in of_rule(report, "HIST101")]
    assert sorted(latency) == [
        ("cart", "fix(api): handle upstream timeout when pricing is slow", 2),
        ("media", "fix(api): handle upstream timeout when pricing is slow", 1),
    ]


# --- HIST110: churn -------------------------------------------------------------------

BOOK_V2 = lines(8, "book") + lines(4, "entry")
CHURN = [
    Commit("2024-10-01T09:00:00+00:00", "Start ledger and audit", {
        "services/ledger/SERVICE": "", "services/ledger/book.py": lines(10, "book"),
        "services/audit/SERVICE": "", "services/audit/log.py": lines(2, "log"), "README.md": "Ledger\n",
    }),
    Commit("2025-03-01T10:00:00+00:00", "Split postings", {"services/ledger/book.py": BOOK_V2, "services/ledger/posting.py": lines(6, "posting")}),
    Commit("2025-03-01T15:00:00+00:00", "Move book to journal", {"services/ledger/journal.py": BOOK_V2 + "journal_1 = 1\n"},
           GRACE, renames={"services/ledger/book.py": "services/ledger/journal.py"}),
    Commit("2025-06-15T10:00:00+00:00", "Add logo", {"services/ledger/logo.png": b"\x89PNG\r\n\x1a\n\0\1\2"}, GRACE),
    Commit("2025-09-30T10:00:00+00:00", "Drop old posting module", {"services/ledger/posting.py": None}),
    Commit("2026-01-10T12:00:00+00:00", "Tidy journal", {
        "services/ledger/journal.py": BOOK_V2 + "journal_1 = 2\njournal_2 = 2\n", "README.md": "Ledger, tidied\n",
    }, LINUS),
]


def test_churn_per_service_follows_renames_and_skips_binary_lines(make_history, run_cli):
    report = scan(run_cli, make_history(CHURN))
    churn = {f["service"]: f for f in of_rule(report, "HIST110")}
    ledger = churn["ledger"]
    assert (ledger["path"], ledger["criterion"]) == ("services/ledger", "fit")
    assert ledger["message"] == (
        "5 commits by 3 authors on 4 days in the 365 days to HEAD; +13/-9 lines (1.571x its 14 lines of code); "
        "last change 2026-01-10"
    )
    assert ledger["facts"] == {
        "commits": 5,
        "lines_added": 13,  # 4+6 split, 1 move, 0 binary logo, 0 delete, 2 tidy
        "lines_removed": 9,  # 2 split, 6 delete, 1 tidy
        "active_days": 4,
        "authors": 3,
        "main_author": "Ada Lovelace",  # 2 commits, as many as Grace: ties go by name
        "main_author_share": 0.4,
        "first_change": "2025-03-01",
        "last_change": "2026-01-10",
        "days_since_change": 0,
        "window_days": 365,
        "code_lines": 14,
        "churn_ratio": 1.571,
        "pain_commits": 0,
    }
    assert "audit" not in churn  # no commits in the window
    # journal.py's history includes book.py's changes before the rename.
    [journal] = of_rule(report, "HIST111")
    assert (journal["path"], journal["facts"]["commits"], journal["facts"]["created_in_window"]) == ("services/ledger/journal.py", 3, False)


def test_high_churn_needs_enough_commits_and_change(make_history, run_cli, tmp_path):
    repo = make_history(CHURN)
    config = tmp_path / "strict.toml"
    config.write_text("[plugins.history]\nchurn_ratio = 1.6\n")  # ledger changed 22 lines, 1.571x its 14
    assert of_rule(scan(run_cli, repo, "--config", config), "HIST110") == []
    config.write_text("[plugins.history]\nmin_commits = 6\n")  # ledger has 5
    assert of_rule(scan(run_cli, repo, "--config", config), "HIST110") == []


def test_the_window_is_configurable(make_history, run_cli):
    repo = make_history(CHURN)
    (repo / "readiness.toml").write_text(EVERY_SERVICE_CHURN + "window_days = 200\n")
    ledger = next(f for f in of_rule(scan(run_cli, repo), "HIST110") if f["service"] == "ledger")
    assert (ledger["facts"]["commits"], ledger["facts"]["window_days"], ledger["facts"]["first_change"]) == (2, 200, "2025-09-30")
    ledger = next(f for f in of_rule(scan(run_cli, repo, "--history-days", "400"), "HIST110") if f["service"] == "ledger")
    assert (ledger["facts"]["commits"], ledger["facts"]["window_days"]) == (5, 400)


# --- HIST111: hotspots ----------------------------------------------------------------

HOTSPOTS = [
    Commit("2025-02-01T10:00:00+00:00", "Add search", {
        "services/search/SERVICE": "", "services/search/index.py": lines(8, "idx"), "services/search/query.py": lines(3, "q"),
        "services/search/api.py": lines(40, "api"), "services/search/notes.md": "n1\n", "services/search/helpers.py": lines(1, "h"),
        "shared/gen.py": lines(2, "gen"), "services/search/tests/test_index.py": lines(50, "t1"),
    }),
    Commit("2025-03-01T10:00:00+00:00", "Index tokens", {
        "services/search/index.py": lines(9, "idx"), "services/search/query.py": lines(4, "q"),
        "services/search/notes.md": "n2\n", "services/search/helpers.py": lines(2, "h"),
        "services/search/tests/test_index.py": lines(50, "t2"),
    }),
    Commit("2025-04-01T10:00:00+00:00", "Rank results", {
        "services/search/index.py": lines(10, "idx"), "services/search/query.py": lines(5, "q"),
        "services/search/notes.md": "n3\n", "shared/gen.py": lines(3, "gen"),
        "services/search/tests/test_index.py": lines(50, "t3"),
    }),
    Commit("2025-05-01T10:00:00+00:00", "Boost fields", {
        "services/search/index.py": lines(11, "idx"), "services/search/notes.md": "n4\n", "services/search/helpers.py": lines(2, "hh"),
    }),
    Commit("2025-06-01T10:00:00+00:00", "Stem words", {
        "services/search/index.py": lines(12, "idx"), "services/search/query.py": lines(5, "qq"),
        "services/search/notes.md": "n5\n", "services/search/api.py": lines(40, "api2"), "shared/gen.py": lines(4, "gen"),
    }),
    Commit("2026-01-15T12:00:00+00:00", "Notes", {"services/search/notes.md": "n6\n"}),
]


def test_hotspots_rank_change_frequency_times_code(make_history, run_cli):
    repo = make_history(HOTSPOTS)
    (repo / "readiness.toml").write_text("[plugins.history]\nhotspots_per_service = 2\n")
    hotspots = of_rule(scan(run_cli, repo), "HIST111")
    # api.py is biggest but changed twice (under hotspot_min_commits); helpers.py (3 x 2 = 6)
    # ranks third and is cut; notes.md changed most but is not code; tests/test_index.py
    # (3 x 50) is a test, not what a rewrite ports.
    assert [(f["service"], f["path"], f["message"]) for f in hotspots] == [
        ("search", "services/search/index.py", "hotspot #1 of search: 5 commits on 5 days x 12 lines of code = 60"),
        ("search", "services/search/query.py", "hotspot #2 of search: 4 commits on 4 days x 5 lines of code = 20"),
        (None, "shared/gen.py", "hotspot #1 of the files outside services: 3 commits on 3 days x 4 lines of code = 12"),
    ]
    assert hotspots[1]["criterion"] == "size"
    assert hotspots[1]["facts"] == {
        "rank": 2,
        "hotspot_score": 20,
        "commits": 4,
        "code_lines": 5,
        "lines_added": 10,
        "lines_removed": 5,
        "active_days": 4,
        "authors": 1,
        "first_change": "2025-02-01",
        "last_change": "2025-06-01",
        "days_since_change": 228,
        "created_in_window": True,
    }


# --- HIST120: few contributors ----------------------------------------------------------

OLD_GRACE = "G. Hopper <grace@old.example>"
OWNERSHIP = [
    Commit("2024-12-01T10:00:00+00:00", "Add services, before the window", {
        ".mailmap": "Grace Hopper <grace@example.com> <grace@old.example>\n",
        **{f"services/{name}/SERVICE": "" for name in ("billing", "cart", "tiny", "duo")},
    }),
    *(Commit(f"2025-02-0{n}T10:00:00+00:00", f"Billing change {n}", {"services/billing/run.py": lines(n)}, GRACE if n % 2 else OLD_GRACE) for n in range(1, 7)),
    *(Commit(f"2025-03-0{n}T10:00:00+00:00", f"Cart change {n}", {"services/cart/run.py": lines(n)}, (GRACE, LINUS, "Ada Lovelace <ada@example.com>")[n % 3]) for n in range(1, 7)),
    *(Commit(f"2025-04-0{n}T10:00:00+00:00", f"Tiny change {n}", {"services/tiny/run.py": lines(n)}) for n in range(1, 3)),
    *(Commit(f"2025-05-0{n}T10:00:00+00:00", f"Duo change {n}", {"services/duo/run.py": lines(n)}, LINUS if n == 5 else "Ada Lovelace <ada@example.com>") for n in range(1, 6)),
    Commit("2026-01-15T12:00:00+00:00", "Readme", {"README.md": "services\n"}),
]


def test_few_contributors_after_mailmap(make_history, run_cli, tmp_path):
    repo = make_history(OWNERSHIP)
    report = scan(run_cli, repo)
    assert [(f["service"], f["path"], f["criterion"], f["message"], f["facts"]) for f in of_rule(report, "HIST120")] == [
        # billing: six commits by Grace under two addresses, one author after .mailmap.
        ("billing", "services/billing", "team", "1 author in the window; Grace Hopper wrote 100% of its 6 commits",
         {"authors": 1, "main_author": "Grace Hopper", "main_author_share": 1.0, "commits": 6}),
        ("duo", "services/duo", "team", "2 authors in the window; Ada Lovelace wrote 80% of its 5 commits",
         {"authors": 2, "main_author": "Ada Lovelace", "main_author_share": 0.8, "commits": 5}),
    ]
    # cart: three authors, none above 80%; tiny: 2 commits, too few to judge.
    all_churn = scan_reporting_all_churn(run_cli, repo, tmp_path)
    shares = {f["service"]: (f["facts"]["authors"], f["facts"]["commits"]) for f in of_rule(all_churn, "HIST110")}
    assert shares == {"billing": (1, 6), "cart": (3, 6), "duo": (2, 5), "tiny": (1, 2)}


# --- HIST121: young code ----------------------------------------------------------------

YOUNG = [
    Commit("2024-03-01T10:00:00+00:00", "Add legacy and lib", {"services/legacy/SERVICE": "", "services/legacy/app.py": lines(1), "lib/old.py": lines(1)}),
    *(Commit(f"2025-12-{day}T10:00:00+00:00", f"Recs day {day}", {"services/recs/SERVICE": "", "services/recs/model.py": lines(day)}) for day in range(20, 32)),
    *(Commit(f"2026-01-0{day}T10:00:00+00:00", f"Recs day {day}", {"services/recs/model.py": lines(31 + day)}) for day in range(1, 3)),
    *(Commit(f"2025-12-{day}T11:00:00+00:00", f"Legacy day {day}", {"services/legacy/app.py": lines(day)}) for day in range(10, 30)),
    Commit("2025-12-01T10:00:00+00:00", "Add slow", {"services/slow/SERVICE": "", "services/slow/app.py": lines(1)}),
    *(Commit(f"2025-12-0{day}T10:00:00+00:00", f"Slow day {day}", {"services/slow/app.py": lines(day)}) for day in range(2, 6)),
    Commit("2025-12-15T12:00:00+00:00", "Start moved", {"services/moved/SERVICE": ""}, renames={"lib/old.py": "services/moved/old.py"}),
    *(Commit(f"2025-12-{day}T12:00:00+00:00", f"Moved day {day}", {"services/moved/new.py": lines(day)}) for day in range(16, 31)),
    Commit("2026-01-15T12:00:00+00:00", "Recs final", {"services/recs/model.py": lines(40)}),
]


def test_young_code_still_changing_daily(make_history, run_cli):
    report = scan(run_cli, make_history(sorted(YOUNG, key=lambda c: c.date)))
    # legacy's app.py predates the window; slow changed on 5 of 46 days; moved holds a file
    # created before the window (followed through its rename).
    assert [(f["service"], f["criterion"], f["message"], f["facts"]) for f in of_rule(report, "HIST121")] == [
        ("recs", "fit", "created 2025-12-20, 26 days before HEAD; changed on 15 of its 27 days (56%)",
         {"created": "2025-12-20", "age_days": 26, "active_days": 15, "active_share": 0.556, "commits": 15}),
    ]


# --- HIST130: change coupling -----------------------------------------------------------

BOTH = {"services/cart/a.py", "services/inventory/a.py"}
COUPLING = [
    Commit("2024-06-01T10:00:00+00:00", "Add services", {f"services/{s}/{f}": "" for s in ("cart", "inventory", "search") for f in ("SERVICE", "a.py")}),
    *(Commit(f"2025-02-0{n}T10:00:00+00:00", f"Cart and inventory {n}", {path: lines(n) for path in BOTH}) for n in range(1, 7)),
    *(Commit(f"2025-03-0{n}T10:00:00+00:00", f"Cart alone {n}", {"services/cart/a.py": lines(10 + n)}) for n in range(1, 3)),
    Commit("2025-04-01T10:00:00+00:00", "Inventory alone", {"services/inventory/a.py": lines(20)}),
    *(Commit(f"2025-05-0{n}T10:00:00+00:00", f"Cart and search {n}", {"services/cart/a.py": lines(30 + n), "services/search/a.py": lines(n)}) for n in range(1, 3)),
    Commit("2025-06-01T10:00:00+00:00", "Reformat everything", {f"services/{s}/f{n:02}.py": "x = 1\n" for s in ("cart", "inventory", "search") for n in range(20)}),
    Commit("2026-01-15T12:00:00+00:00", "Search alone", {"services/search/a.py": lines(9)}),
]


def test_change_coupling_between_services(make_history, run_cli):
    report = scan(run_cli, make_history(COUPLING))
    # The 60-file reformat counts as a commit of each service, not as coupling.
    assert [(f["service"], f["path"], f["criterion"], f["message"], f["facts"]) for f in of_rule(report, "HIST130")] == [
        ("cart", "services/cart", "boundary", "changed together with inventory in 6 of its 11 commits (degree 63%)",
         {"coupled_service": "inventory", "shared_commits": 6, "commits": 11, "other_commits": 8, "degree": 0.632}),
        ("inventory", "services/inventory", "boundary", "changed together with cart in 6 of its 8 commits (degree 63%)",
         {"coupled_service": "cart", "shared_commits": 6, "commits": 8, "other_commits": 11, "degree": 0.632}),
    ]


# --- Rules, options, degraded histories ---------------------------------------------------


def test_every_rule_is_declared_and_documented(run_cli):
    host = PluginHost()
    for rule in RULES:
        assert host.rules[rule.id].plugin == "history"
        assert re.fullmatch(r"HIST1\d\d", rule.id)
        sections = re.findall(r"^## (.+)$", rule.doc, re.M)
        assert sections == ["What it finds", "Why it matters for a Rust rewrite", "Example"], rule.id
        code, out, _ = run_cli("explain", rule.id)
        assert code == 0 and out.startswith(f"{rule.id}: {rule.title}\ncriterion: {rule.criterion.value}")


def test_no_history_skips_the_stage(make_history, run_cli):
    report = scan(run_cli, make_history(PAIN), "--no-history")
    assert [f for f in report["findings"] if f["rule"].startswith("HIST")] == []
    assert history_warnings(report) == []


def test_bad_settings_are_warned_about_and_defaulted(make_history, run_cli):
    repo = make_history(CHURN)
    (repo / "readiness.toml").write_text('[plugins.history]\nwindow_days = 0\nmain_author_share = 2\nfrobnicate = 1\nenabled = "yes"\n')
    report = scan(run_cli, repo)
    assert history_warnings(report) == [
        "history: window_days = 0 is not valid, using 365",
        "history: main_author_share = 2 is not valid, using 0.8",
        "history: unknown setting 'frobnicate' in [tool.readiness.plugins.history] ignored",
        "history: enabled = 'yes' is not valid, using True",
    ]
    assert next(f for f in of_rule(report, "HIST110") if f["service"] == "ledger")["facts"]["commits"] == 5


def test_the_commit_cap(make_history, run_cli, tmp_path):
    report = scan_reporting_all_churn(run_cli, make_history(CHURN), tmp_path, "--history-max-commits", "2")
    assert history_warnings(report) == ["history: stopped at the cap of 2 commits, back to 2025-09-30 instead of 365 days"]
    ledger = next(f for f in of_rule(report, "HIST110") if f["service"] == "ledger")
    assert (ledger["facts"]["commits"], ledger["facts"]["first_change"]) == (2, "2025-09-30")


def test_not_a_git_repository(make_repo, run_cli):
    report = scan(run_cli, make_repo({"services/a/SERVICE": "", "services/a/app.py": "x = 1\n"}, git_init=False))
    assert history_warnings(report) == ["history: not a git repository, so no churn, ownership or pain-commit evidence"]
    assert of_rule(report, "HIST110") == []


def test_no_commits_yet(make_repo, run_cli):
    repo = make_repo({"services/a/SERVICE": "", "services/a/app.py": "x = 1\n"}, commit=False)
    report = scan(run_cli, repo)
    assert history_warnings(report) == ["history: the repository has no commits yet"]
    assert of_rule(report, "HIST110") == []


SMALL = [
    Commit("2025-05-01T10:00:00+00:00", "Create", {"services/svc/SERVICE": "", "services/svc/app.py": lines(10)}),
    Commit("2025-06-01T10:00:00+00:00", "Grow", {"services/svc/app.py": lines(11)}),
    Commit("2025-07-01T10:00:00+00:00", "Grow more", {"services/svc/app.py": lines(12)}, GRACE),
]


def svc_churn(report: dict) -> tuple[int, int, int, int]:
    [churn] = of_rule(report, "HIST110")
    return churn["facts"]["commits"], churn["facts"]["lines_added"], churn["facts"]["lines_removed"], churn["facts"]["authors"]


def test_shallow_clone_counts_what_it_has_without_the_boundary_diff(make_history, tmp_path, run_cli):
    source = make_history(SMALL)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{source}", str(shallow))
    report = scan_reporting_all_churn(run_cli, shallow, tmp_path)
    assert history_warnings(report) == ["history: shallow clone: only 2 commits back to 2025-06-01 are available"]
    # The boundary commit "Grow" shows as adding all 11 lines; only "Grow more" counts.
    assert svc_churn(report) == (1, 1, 0, 1)


def test_detached_head(make_history, run_cli, tmp_path):
    repo = make_history(SMALL)
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    report = scan_reporting_all_churn(run_cli, repo, tmp_path)
    assert history_warnings(report) == ["history: detached HEAD: reading the history of the checked-out commit"]
    assert svc_churn(report) == (2, 11, 0, 1)


def test_partial_clone_without_blobs_counts_files_not_lines(make_history, tmp_path, run_cli):
    source = make_history(SMALL)
    git(source, "config", "uploadpack.allowFilter", "true")
    partial = tmp_path / "partial"
    git(tmp_path, "clone", "-q", "--filter=blob:none", "--no-local", f"file://{source}", str(partial))
    report = scan_reporting_all_churn(run_cli, partial, tmp_path)
    [warning] = history_warnings(report)
    assert re.fullmatch(
        r"history: git log failed: could not fetch [0-9a-f]{40} from promisor remote; "
        r"counting changed files per commit, without line counts",
        warning,
    )
    assert svc_churn(report) == (3, 0, 0, 2)


def test_missing_blobs_in_a_copied_repository(make_history, run_cli, tmp_path):
    repo = make_history(SMALL)
    blob = git(repo, "rev-parse", "HEAD~2:services/svc/app.py").strip()
    os.remove(repo / ".git/objects" / blob[:2] / blob[2:])
    report = scan_reporting_all_churn(run_cli, repo, tmp_path)
    assert history_warnings(report) == [
        f"history: git log failed: unable to read {blob}; counting changed files per commit, without line counts"
    ]
    assert svc_churn(report) == (3, 0, 0, 2)


def test_a_huge_text_file_counts_as_binary(make_history, run_cli, tmp_path):
    huge = "y = 1\n" * (3 << 20)  # 18 MiB, over the 16 MiB big-file threshold
    report = scan_reporting_all_churn(run_cli, make_history([*SMALL, Commit("2025-08-01T10:00:00+00:00", "Data", {"services/svc/data.py": huge})]), tmp_path)
    assert svc_churn(report) == (4, 12, 0, 2)


def test_merges_count_once_through_the_commits_they_merge(make_history, run_cli, tmp_path):
    repo = make_history(SMALL)
    for n, branch in enumerate(("feature-a", "feature-b", "feature-c"), 1):
        git(repo, "checkout", "-q", "-b", branch, "main~1")
        (repo / f"services/svc/{branch}.py").write_text(lines(n))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"Add {branch}", date=f"2025-08-0{n}T10:00:00+00:00")
        git(repo, "checkout", "-q", "main")
        git(repo, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch, date=f"2025-08-0{n}T11:00:00+00:00")
    report = scan_reporting_all_churn(run_cli, repo, tmp_path)
    # 3 commits on main + 3 feature commits; the merges add nothing of their own.
    assert svc_churn(report) == (6, 10 + 1 + 1 + 1 + 2 + 3, 0, 2)


def test_the_environment_of_a_git_hook_cannot_redirect_history(make_history, monkeypatch, run_cli):
    repo = make_history(CHURN)
    expected = scan(run_cli, repo)
    other = make_history(SMALL)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git/index"))
    assert scan(run_cli, repo) == expected


@pytest.mark.parametrize(
    ("fifo", "scanned", "reported"),
    [
        (".gitattributes", ".", ".gitattributes"),
        ("services/svc/.gitattributes", ".", "services/svc/.gitattributes"),
        (".gitattributes", "services", "../.gitattributes"),
    ],
)
def test_a_fifo_gitattributes_is_not_handed_to_git(fifo, scanned, reported, make_history, run_cli):
    repo = make_history(SMALL)
    os.mkfifo(repo / fifo)
    report = scan(run_cli, repo / scanned)
    assert history_warnings(report) == [f"history: not read: {reported} is not a regular file, git would block reading it"]


def test_the_readme_lists_every_setting_with_its_default():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[tool\.readiness\.plugins\.history\]\n.*?)```", readme, re.S)
    assert block is not None
    documented = tomllib.loads(block.group(1))["tool"]["readiness"]["plugins"]["history"]
    assert documented == asdict(HistorySettings())


# --- the folded history, kept per commit ------------------------------------------------


@pytest.fixture
def logs_read(monkeypatch):
    """How many git log passes each scan runs."""
    import readiness_plugins.history

    passes: list[str] = []
    original = readiness_plugins.history.read_history

    def counting(root, log_range, detail, timeout):
        passes.append(detail.value)
        return original(root, log_range, detail, timeout)

    monkeypatch.setattr(readiness_plugins.history, "read_history", counting)
    return passes


def history_findings(report: dict) -> list[tuple]:
    return [(f["rule"], f["service"], f["message"], f["facts"]) for f in report["findings"] if f["rule"].startswith("HIST")]


def test_a_rescan_at_the_same_commit_reads_no_history(make_history, run_cli, tmp_path, logs_read):
    repo = make_history(OWNERSHIP)
    first = scan(run_cli, repo, "--cache-dir", tmp_path / "cache")
    assert logs_read == ["lines"]
    # Work-tree changes do not move HEAD: the history is recalled, the findings rebuilt.
    (repo / "services" / "cart" / "run.py").write_text(lines(40))
    again = scan(run_cli, repo, "--cache-dir", tmp_path / "cache")
    assert logs_read == ["lines"]
    cold = scan(run_cli, repo, "--no-cache")
    assert history_findings(again) == history_findings(cold) and history_warnings(again) == history_warnings(cold)
    assert history_findings(again) != history_findings(first)


def test_a_new_commit_or_mailmap_reads_the_history_again(make_history, run_cli, tmp_path, logs_read):
    repo = make_history(OWNERSHIP)
    cache = ("--cache-dir", tmp_path / "cache")
    scan(run_cli, repo, *cache)
    # Without its .mailmap line, billing has two authors: G. Hopper and Grace Hopper.
    (repo / ".mailmap").write_text("")
    unmapped = scan(run_cli, repo, *cache)
    assert [f["facts"]["authors"] for f in of_rule(unmapped, "HIST120") if f["service"] == "billing"] == [2]
    git(repo, "commit", "-q", "-am", "Drop the mailmap")
    committed = scan(run_cli, repo, *cache)
    assert logs_read == ["lines", "lines", "lines"]
    assert history_findings(committed) == history_findings(scan(run_cli, repo, "--no-cache"))


def test_a_damaged_history_memo_is_read_again(make_history, run_cli, tmp_path, logs_read):
    repo = make_history(OWNERSHIP)
    first = scan(run_cli, repo, "--cache-dir", tmp_path / "cache")
    [memo] = (tmp_path / "cache").glob("v*/*/head-*.json")
    # Another author's name under the digest of the true one.
    memo.write_text(memo.read_text().replace("Grace Hopper", "Grace Hoppen"))
    assert history_findings(scan(run_cli, repo, "--cache-dir", tmp_path / "cache")) == history_findings(first)
    assert logs_read == ["lines", "lines"]
