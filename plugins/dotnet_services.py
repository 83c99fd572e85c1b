"""Services from .NET projects (``*.csproj``, ``*.fsproj``, ``*.vbproj``) and the solutions listing them.

A web project (``Microsoft.NET.Sdk.Web``) is a backend, or a UI when it is a Blazor app
(Razor components: ``App.razor``, ``Routes.razor``) or a WebAssembly project; a worker
project (``Microsoft.NET.Sdk.Worker``), or a web project whose ``Program.cs`` only
subscribes to events and hosts background services, is a worker. Test projects, mobile
and desktop apps, and .NET Aspire AppHosts (which the Aspire detector reads) are not
services. A class library another project references is a library. A ``.sln`` that
lists a project is one of its manifests.
"""

from __future__ import annotations

import posixpath
import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import RepoIndex, index_of, join, line_of, normalized, parent, read_text
from readiness_plugins._manifests import Package, candidates

PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
MAX_PROGRAM_CHARS = 256 * 1024
_SDK = re.compile(r"<Project\s+Sdk\s*=\s*\"([^\"/]+)|<Sdk\s+Name\s*=\s*\"([^\"/]+)")
_REFERENCE = re.compile(r"<ProjectReference\s+Include\s*=\s*\"([^\"]+)\"")
_TEST = re.compile(r"Microsoft\.NET\.Test\.Sdk|<IsTestProject>\s*true|\"(xunit|NUnit|MSTest\.TestFramework)\"", re.I)
_NOT_SERVICE = re.compile(r"<UseMaui>\s*true|<UseWPF>\s*true|<UseWindowsForms>\s*true|net\d+\.\d+-(android|ios|maccatalyst)|Xamarin\.", re.I)
_ASPIRE_HOST = re.compile(r"Aspire\.AppHost\.Sdk|<IsAspireHost>\s*true|\"Aspire\.Hosting\.AppHost\"", re.I)
_ENDPOINTS = re.compile(r"\.Map(Get|Post|Put|Delete|Patch|Methods|Group|Controllers|ControllerRoute|GrpcService|RazorPages|RazorComponents|Hub|ReverseProxy|Fallback\w*|Blazor\w*|Endpoints)\b|\bUseEndpoints\b|\bMapReverseProxy\b")
_FOREVER = re.compile(r"\bwhile\s*\(\s*true\s*\)|\bfor\s*\(\s*;\s*;\s*\)")
_BACKGROUND = re.compile(r"\bAddHostedService\s*<|\bAddSubscription\s*<|:\s*BackgroundService\b|\bIHostedService\b")


def _is_blazor(index: RepoIndex, directory: str) -> bool:
    return any(posixpath.basename(r.path) in ("App.razor", "Routes.razor") for r in index.files_under(directory))


def _program(repo: Repository, index: RepoIndex, directory: str) -> str:
    prefix = "" if directory == "." else directory + "/"
    for name in ("Program.cs", "Program.fs", "Startup.cs"):
        if index.exists(prefix + name):
            data = repo.read_bytes(prefix + name)
            if data is not None:
                return data[:MAX_PROGRAM_CHARS].decode("utf-8", errors="replace")
    return ""


def _project(repo: Repository, index: RepoIndex, path: str, text: str) -> Package | None:
    name = posixpath.basename(path).rsplit(".", 1)[0]
    if _TEST.search(text) or _NOT_SERVICE.search(text) or _ASPIRE_HOST.search(text) or re.search(r"(^|\.)(Unit|Functional|Integration)?Tests?$", name):
        return None
    directory = parent(path)
    references = frozenset(normalized(posixpath.basename(r.replace("\\", "/")).rsplit(".", 1)[0]) for r in _REFERENCE.findall(text))
    sdk_match = _SDK.search(text)
    sdk = (sdk_match.group(1) or sdk_match.group(2)) if sdk_match else ""
    line = line_of(text, r"<Project\b") or 1

    def found(role: str | None, detail: str) -> Package:
        return Package(directory, path, name, role, line, detail, references)

    if sdk == "Microsoft.NET.Sdk.BlazorWebAssembly":
        return found("frontend", "Blazor WebAssembly app")
    if sdk == "Microsoft.NET.Sdk.Worker":
        return found("worker", "worker project (Microsoft.NET.Sdk.Worker)")
    if sdk == "Microsoft.NET.Sdk.Web":
        if _is_blazor(index, directory):
            return found("frontend", "Blazor web app (Razor components)")
        program = _program(repo, index, directory)
        if program and _BACKGROUND.search(program) and not _ENDPOINTS.search(program):
            return found("worker", "web host running background services only, no endpoints")
        return found("backend", "web project (Microsoft.NET.Sdk.Web)")
    if re.search(r"<OutputType>\s*(Exe|WinExe)\s*<", text, re.I):
        program = _program(repo, index, directory)
        # A console app that hosts services or loops forever is a long-running worker; one that
        # runs and exits is a tool.
        if "Microsoft.Extensions.Hosting" in text or _BACKGROUND.search(program) or _FOREVER.search(program):
            return found("worker", "long-running console app")
        return found("tooling", "console app")
    return found(None, "")


def _solution_projects(text: str, solution: str) -> list[str]:
    base = parent(solution)
    paths = []
    for reference in re.findall(r"^Project\([^)]*\)\s*=\s*\"[^\"]*\",\s*\"([^\"]+\.(?:cs|fs|vb)proj)\"", text, re.M):
        path = join(base, reference)
        if path is not None:
            paths.append(path)
    return paths


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    for record in index.named(lambda n: n.endswith(PROJECT_SUFFIXES)):
        text = read_text(repo, record.path, warnings)
        if text is not None:
            package = _project(repo, index, record.path, text)
            if package is not None:
                packages.append(package)
    solutions: dict[str, list[str]] = {}
    for record in index.named(lambda n: n.endswith(".sln")):
        text = read_text(repo, record.path, warnings)
        for project in _solution_projects(text or "", record.path):
            solutions.setdefault(project, []).append(record.path)
    found = candidates(packages, repo.info.name, "project")
    for position, candidate in enumerate(found):
        listed = tuple(sorted(s for manifest in candidate.manifests for s in solutions.get(manifest, ())))
        if listed:
            found[position] = ServiceCandidate(
                candidate.path, candidate.name, candidate.evidence, candidate.role, candidate.manifests + listed
            )
    return [*found, *warnings]
