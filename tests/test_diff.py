"""--diff REF and `readiness check FILES`: only the services a change touches are analysed, each as a whole."""

from __future__ import annotations

import json

from cirepo import CI, scan_json, two_services
from conftest import git, write_tree

COMPOSE = "services:\n  api:\n    build: services/api\n  billing:\n    build: services/billing\n"


def judged(report):
    return report["diff"]["services"], sorted({(f["service"], f["path"], f["line"]) for f in report["findings"]})


def repo_with_history(make_repo):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n", **{"services/api/util.py": "lock(u)\n", "services/billing/jobs.py": "x = 1\n", "docker-compose.yml": COMPOSE}))
    git(repo, "tag", "base")
    return repo


def test_nothing_changed_nothing_judged(make_repo, run_cli):
    repo = repo_with_history(make_repo)
    code, report, _ = scan_json(run_cli, repo, "--diff", "base")
    assert code == 0
    assert report["diff"] == {"base": "base", "commit": git(repo, "rev-parse", "HEAD").strip(), "changed": [], "services": []}
    assert report["findings"] == []
    assert [s["name"] for s in report["services"]] == ["api", "billing"]


def test_a_changed_file_judges_its_whole_service_and_only_it(make_repo, run_cli):
    repo = repo_with_history(make_repo)
    write_tree(repo, {"services/api/app.py": "lock(a)\nlock(b)\n"})
    code, report, _ = scan_json(run_cli, repo, "--diff", "base")
    assert code == 0 and report["diff"]["changed"] == ["services/api/app.py"]
    # util.py did not change, but api is judged as a whole.
    assert judged(report) == (["api"], [("api", "services/api/app.py", 1), ("api", "services/api/app.py", 2), ("api", "services/api/util.py", 1)])


def test_committed_staged_untracked_and_deleted_changes_all_count(make_repo, run_cli):
    repo = repo_with_history(make_repo)
    write_tree(repo, {"services/api/new.py": "x = 1\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "api grows")
    (repo / "services/billing/jobs.py").unlink()
    _, report, _ = scan_json(run_cli, repo, "--diff", "base")
    assert report["diff"]["changed"] == ["services/api/new.py", "services/billing/jobs.py"]
    assert report["diff"]["services"] == ["api", "billing"]
    git(repo, "rm", "-q", "--cached", "services/billing/jobs.py")
    _, report, _ = scan_json(run_cli, repo, "--diff", "base")
    assert report["diff"]["changed"] == ["services/api/new.py", "services/billing/jobs.py"]
    assert report["diff"]["services"] == ["api", "billing"]
    git(repo, "reset", "-q")
    git(repo, "checkout", "-q", "--", "services/billing/jobs.py")
    write_tree(repo, {"services/billing/notes.py": "y = 2\n"})
    _, report, _ = scan_json(run_cli, repo, "--diff", "HEAD")
    assert (report["diff"]["changed"], report["diff"]["services"]) == (["services/billing/notes.py"], ["billing"])


def test_a_changed_deployment_touches_every_service_it_deploys(make_repo, run_cli):
    repo = repo_with_history(make_repo)
    write_tree(repo, {"docker-compose.yml": COMPOSE + "    environment:\n      DEBUG: '1'\n"})
    _, report, _ = scan_json(run_cli, repo, "--diff", "base")
    assert report["diff"]["services"] == ["api", "billing"]


def test_gates_and_baselines_judge_only_the_touched_services(make_repo, run_cli, tmp_path):
    repo = repo_with_history(make_repo)
    baseline = tmp_path / "baseline.json"
    assert scan_json(run_cli, repo, "--write-baseline", baseline)[0] == 0
    write_tree(repo, {"services/billing/app.py": "sleep(1)\nsleep(2)\n"})
    code, report, _ = scan_json(run_cli, repo, "--diff", "base", "--baseline", baseline, "--fail-on-rule", "CIL101", "--max-findings", "CIS=0", "--new-only")
    assert code == 1
    assert [(f["line"], f["baseline"]) for f in report["findings"]] == [(1, "unchanged"), (2, "new")]
    # api's findings were not compared, so they are not "fixed".
    assert report["baseline"]["fixed"] == []
    assert report["gate"]["failures"] == [{"condition": "max-findings CIS=0", "detail": "1 new finding, more than 0: CIS201 at services/billing/app.py:2"}]


def test_diff_usage_errors(make_repo, run_cli, tmp_path):
    repo = repo_with_history(make_repo)
    assert run_cli("scan", repo, "--diff", "nope") == (2, "", f"readiness: error: --diff nope: no such commit in {repo}\n")
    assert run_cli("scan", repo, "--diff=--output=x")[0] == 2
    code, _, err = run_cli("scan", repo, "--diff", "base", "--write-baseline", tmp_path / "b.json")
    assert code == 2 and err.startswith("readiness: error: --write-baseline needs a full scan")
    code, _, err = run_cli("scan", make_repo(two_services(), git_init=False), "--diff", "HEAD")
    assert code == 2 and err.startswith("readiness: error: --diff HEAD: ")


def test_a_baseline_cannot_be_a_partial_report(make_repo, run_cli, tmp_path):
    repo = repo_with_history(make_repo)
    partial = tmp_path / "partial.json"
    assert run_cli("scan", repo, *CI, "--diff", "base", "--output", f"json:{partial}")[0] == 0
    code, _, err = run_cli("scan", repo, "--baseline", partial)
    assert code == 2 and "cannot be a baseline" in err


def test_check_judges_the_services_of_the_files_given_from_anywhere_in_the_repository(make_repo, run_cli, monkeypatch):
    config = '[tool.readiness.gate]\nfail-on-rule = ["CIS201"]\n'
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n", **{"pyproject.toml": config}))
    monkeypatch.chdir(repo / "services")
    code, out, err = run_cli("check", "api/app.py", *CI, "--format", "json", "--no-cache")
    report = json.loads(out)
    # The configuration is the repository's, found from a subdirectory; billing's sleep is not judged.
    assert (code, judged(report)) == (0, (["api"], [("api", "services/api/app.py", 1)]))
    assert report["diff"]["base"] == "files given" and report["gate"]["status"] == "passed"
    code, out, err = run_cli("check", "billing/app.py", "api/app.py", *CI, "--format", "json", "--no-cache")
    assert code == 1 and json.loads(out)["diff"]["services"] == ["api", "billing"]
    assert err.endswith("readiness: gate failed (1 of 1 condition broken, exit 1)\n")
    code, _, err = run_cli("check", "../../elsewhere.py", *CI)
    assert code == 2 and "not inside the repository" in err
