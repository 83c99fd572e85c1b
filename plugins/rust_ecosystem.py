"""Ecosystem evidence (ECO1xx): each runtime dependency of a service, mapped to its Rust counterpart.

Dependencies are read from the service's own manifests: ``requirements*.txt`` (not the
dev, test, lint or docs ones), ``pyproject.toml`` (PEP 621 and Poetry), ``Pipfile``,
``package.json`` (``dependencies``), ``go.mod`` (direct requirements), ``pom.xml`` (not
``test`` scope), Gradle builds (``implementation``, ``api``, ``runtimeOnly``,
``compileOnly``), ``*.csproj``/``*.fsproj``/``packages.config``, ``Gemfile`` (not in
development or test groups) and ``composer.json`` (``require``). Local packages of the
repository (``file:``, ``workspace:``, replaced Go modules, the POM's own group) are not
dependencies to port.

The mapping is data: ``data/rust_ecosystem.toml``, which a repository extends or overrides
with a file of the same shape named in ``[tool.readiness.plugins.rust_ecosystem] mapping``.
A manifest that does not parse is skipped here: the service detectors already warn about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Contribution, Criterion, Diagnostic, Evidence, Finding, Repository, Rule, Service
from readiness.scoring import applicable
from readiness_plugins._layout import in_non_service_directory, line_of
from readiness_plugins._layout import normalized as layout_normalized
from readiness_plugins._safeload import UnsafeDocument, load_json, load_toml

MATURITIES = ("mature", "usable", "immature", "none")
MATURITY_POINTS: Mapping[str, float] = {"mature": 1.0, "usable": 4.0, "immature": 10.0, "none": 16.0}
"""Ecosystem points per dependency (before the core's diminishing returns for repeated findings of one rule)."""
UNMAPPED_POINTS = 2.0
"""Points of a dependency the mapping does not know: most are small utilities, some are gaps."""

_EXAMPLE = """
```text
services/search/requirements.txt:4: scikit-learn (machine learning): immature in Rust (linfa)
```
"""

MAPPED = Rule(
    id="ECO101",
    title="dependency-with-rust-counterpart",
    criterion=Criterion.ECOSYSTEM,
    doc="""
## What it finds
A runtime dependency of the service with a Rust counterpart that is `mature` (production-
proven, does the same job: Flask to axum, psycopg to sqlx, Kafka clients to rdkafka) or
`usable` (works, with gaps or a different model: pandas to polars, SQLAlchemy to sea-orm).

Facts: `ecosystem`, `package`, `rust`, `maturity`, `what`.

## Why it matters for a Rust rewrite
Every dependency is code the rewrite must replace. A mature counterpart makes that a
port: 1 ecosystem point; a usable one means adapting to another model: 4 points.

## Example
```text
services/checkout-api/requirements.txt:1: flask (web framework) -> axum (mature)
```
""",
)

GAP = Rule(
    id="ECO102",
    title="dependency-without-mature-counterpart",
    criterion=Criterion.ECOSYSTEM,
    level="warning",
    doc=f"""
## What it finds
A runtime dependency whose Rust counterpart is `immature` (young or partial: scikit-learn
to linfa, Hibernate to sea-orm, Celery to apalis) or that has `none` (Django, Rails,
Kafka Streams, statsmodels): a gap in the ecosystem.

Facts: `ecosystem`, `package`, `rust`, `maturity`, `what`.

## Why it matters for a Rust rewrite
The documents warn that Rust's ecosystem is still evolving in some areas. A gap means
building or living without what the dependency did: 10 ecosystem points for an immature
counterpart, 16 for none.

## Example
{_EXAMPLE}""",
)

UNMAPPED = Rule(
    id="ECO103",
    title="unmapped-dependency",
    criterion=Criterion.ECOSYSTEM,
    doc="""
## What it finds
A runtime dependency the mapping does not know. Extend the mapping with a file of the
shape of `plugins/data/rust_ecosystem.toml`, named in
`[tool.readiness.plugins.rust_ecosystem] mapping = "..."`, to say what it maps to.

Facts: `ecosystem`, `package`.

## Why it matters for a Rust rewrite
Most unknown dependencies are small utilities, some are vendor SDKs without a Rust
client: 2 ecosystem points each, so many unknowns add up.

## Example
```text
services/checkout-api/requirements.txt:7: acme-pdf: not in the Rust ecosystem mapping
```
""",
)

RULES = (MAPPED, GAP, UNMAPPED)


@dataclass(frozen=True, slots=True)
class Counterpart:
    rust: str
    maturity: str
    what: str


@dataclass(frozen=True, slots=True)
class EcosystemMapping:
    """Counterparts by (ecosystem, normalized name), and by prefix for keys ending in ``*``."""

    exact: Mapping[tuple[str, str], Counterpart]
    prefixes: Mapping[str, tuple[tuple[str, Counterpart], ...]]
    """Per ecosystem, (prefix, counterpart), longest prefix first."""

    def lookup(self, ecosystem: str, name: str) -> Counterpart | None:
        key = normalized(ecosystem, name)
        found = self.exact.get((ecosystem, key))
        if found is not None:
            return found
        return next((c for prefix, c in self.prefixes.get(ecosystem, ()) if key.startswith(prefix)), None)


ECOSYSTEMS = ("pypi", "npm", "go", "maven", "nuget", "rubygems", "packagist")


def normalized(ecosystem: str, name: str) -> str:
    """How a name is compared: case-insensitively, and for PyPI with runs of ``-_.`` as one ``-`` (PEP 503)."""
    lowered = name.strip().lower()
    return re.sub(r"[-_.]+", "-", lowered) if ecosystem == "pypi" else lowered


def parse_mapping(document: Mapping[str, Any], origin: str) -> tuple[dict[tuple[str, str], Counterpart], list[str]]:
    """A mapping document's entries by (ecosystem, key), and a problem per entry skipped."""
    entries: dict[tuple[str, str], Counterpart] = {}
    problems = []
    for ecosystem, table in document.items():
        if ecosystem not in ECOSYSTEMS or not isinstance(table, dict):
            problems.append(f"{origin}: [{ecosystem}] is not one of {', '.join(ECOSYSTEMS)}")
            continue
        for key, value in table.items():
            if not isinstance(value, dict) or value.get("maturity") not in MATURITIES:
                problems.append(f"{origin}: {ecosystem}.{key}: needs maturity = one of {', '.join(MATURITIES)}")
                continue
            entries[ecosystem, key] = Counterpart(str(value.get("rust", "")), value["maturity"], str(value.get("what", "")))
    return entries, problems


def build_mapping(entries: Mapping[tuple[str, str], Counterpart]) -> EcosystemMapping:
    exact: dict[tuple[str, str], Counterpart] = {}
    prefixes: dict[str, list[tuple[str, Counterpart]]] = {}
    for (ecosystem, key), counterpart in entries.items():
        if key.endswith("*"):
            prefixes.setdefault(ecosystem, []).append((normalized(ecosystem, key[:-1]), counterpart))
        else:
            exact[ecosystem, normalized(ecosystem, key)] = counterpart
    ordered = {eco: tuple(sorted(found, key=lambda item: (-len(item[0]), item[0]))) for eco, found in prefixes.items()}
    return EcosystemMapping(exact, ordered)


def builtin_entries() -> dict[tuple[str, str], Counterpart]:
    text = resources.files("readiness_plugins").joinpath("data/rust_ecosystem.toml").read_text(encoding="utf-8")
    entries, problems = parse_mapping(load_toml(text), "data/rust_ecosystem.toml")
    if problems:
        raise ValueError("; ".join(problems))
    return entries


_BUILTIN: list[dict[tuple[str, str], Counterpart]] = []
_MAPPING_CACHE: list[tuple[Repository, EcosystemMapping, list[Diagnostic]]] = []


def mapping_for(repo: Repository, settings: Settings) -> tuple[EcosystemMapping, list[Diagnostic]]:
    """The built-in mapping with the repository's own file laid over it, once per scan."""
    if _MAPPING_CACHE and _MAPPING_CACHE[0][0] is repo:
        return _MAPPING_CACHE[0][1], _MAPPING_CACHE[0][2]
    if not _BUILTIN:
        _BUILTIN.append(builtin_entries())
    entries = dict(_BUILTIN[0])
    warnings: list[Diagnostic] = []
    table = settings.plugins.get("rust_ecosystem", {})
    for key in table:
        if key != "mapping":
            warnings.append(Diagnostic("warning", f"rust_ecosystem: unknown setting {key!r} ignored (known: mapping)"))
    user_file = table.get("mapping")
    if isinstance(user_file, str):
        entries.update(_user_entries(repo, user_file, warnings))
    elif user_file is not None:
        warnings.append(Diagnostic("warning", "rust_ecosystem: mapping must be the path of a TOML file in the repository"))
    mapping = build_mapping(entries)
    _MAPPING_CACHE[:] = [(repo, mapping, warnings)]
    return mapping, warnings


def _user_entries(repo: Repository, path: str, warnings: list[Diagnostic]) -> dict[tuple[str, str], Counterpart]:
    data = repo.read_bytes(path)
    if data is None:
        warnings.append(Diagnostic("warning", "rust_ecosystem: the mapping file is missing, not a regular file or too large", path=path))
        return {}
    try:
        document = load_toml(data.decode("utf-8", errors="replace"))
    except UnsafeDocument as error:
        warnings.append(Diagnostic("warning", f"rust_ecosystem: mapping not read: {error}", path=path))
        return {}
    entries, problems = parse_mapping(document, path)
    warnings.extend(Diagnostic("warning", f"rust_ecosystem: {problem}", path=path) for problem in problems)
    return entries


# --- manifests -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dependency:
    ecosystem: str
    name: str
    path: str
    line: int


_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,200})")
_DEV_REQUIREMENTS = re.compile(r"(?:^|[-_./])(?:dev|develop|test|tests|testing|lint|docs?|ci|typing|types|format|check)(?:[-_./]|$)", re.I)


def _line(text: str, name: str) -> int:
    return line_of(text, rf"[\"']?{re.escape(name)}[\"']?") or 1


def _requirements(path: str, text: str) -> Iterator[Dependency]:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.split("#", 1)[0]
        if stripped.lstrip().startswith("-") or "://" in stripped:
            continue
        match = _REQUIREMENT.match(stripped)
        if match:
            yield Dependency("pypi", match.group(1), path, number)


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pyproject(path: str, text: str) -> Iterator[Dependency]:
    document = _table(load_toml(text))
    specs = _table(document.get("project")).get("dependencies")
    for spec in specs if isinstance(specs, list) else ():
        match = _REQUIREMENT.match(str(spec))
        if match:
            yield Dependency("pypi", match.group(1), path, _line(text, match.group(1)))
    for name in _table(_table(_table(document.get("tool")).get("poetry")).get("dependencies")):
        if name.lower() != "python":
            yield Dependency("pypi", name, path, _line(text, name))


def _pipfile(path: str, text: str) -> Iterator[Dependency]:
    packages = load_toml(text).get("packages")
    for name in packages if isinstance(packages, dict) else ():
        yield Dependency("pypi", name, path, _line(text, name))


def _package_json(path: str, text: str) -> Iterator[Dependency]:
    document = load_json(text)
    if not isinstance(document, dict):
        return
    own = document.get("name")
    # A package of the project's own scope (@acme/proto for @acme/gateway) is its own code.
    scope = own.split("/")[0] + "/" if isinstance(own, str) and own.startswith("@") and "/" in own else None
    dependencies = document.get("dependencies")
    for name, version in dependencies.items() if isinstance(dependencies, dict) else ():
        local = isinstance(version, str) and version.startswith(("file:", "link:", "workspace:", "portal:"))
        if not local and not (scope and name.startswith(scope)):
            yield Dependency("npm", name, path, _line(text, name))


_GO_REQUIRE = re.compile(r"^[ \t]*(?:require[ \t]+)?([A-Za-z0-9][\w.\-/~]{0,300})[ \t]+v\d\S*([ \t]*//[ \t]*indirect)?", re.M)
_GO_REPLACE_LOCAL = re.compile(r"^[ \t]*(?:replace[ \t]+)?([\w.\-/~]{1,300})(?:[ \t]+v\S+)?[ \t]*=>[ \t]*\.{1,2}/", re.M)


_GO_MODULE = re.compile(r"^[ \t]*module[ \t]+\"?([\w.\-/~]{1,300})", re.M)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")


def _go_organisation(module: str) -> str:
    """The path prefix a module shares with its organisation's others: ``github.com/acme/`` or ``acme.io/``."""
    parts = module.split("/")
    return "/".join(parts[: 2 if parts[0] in _CODE_HOSTS else 1]) + "/"


def _go_mod(path: str, text: str) -> Iterator[Dependency]:
    local = set(_GO_REPLACE_LOCAL.findall(text))
    module = _GO_MODULE.search(text)
    organisation = _go_organisation(module.group(1)) if module and "/" in module.group(1) else None
    for match in _GO_REQUIRE.finditer(text):
        name = match.group(1)
        if match.group(2) or name in local or name in ("module", "go", "toolchain"):
            continue
        if organisation and name.startswith(organisation):
            continue
        yield Dependency("go", name, path, text.count("\n", 0, match.start(1)) + 1)


def _blocks(text: str, element: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each ``<element>...</element>``, outermost first, found by plain search (linear time)."""
    opening, closing = f"<{element}>", f"</{element}>"
    start = text.find(opening)
    while start != -1:
        end = text.find(closing, start)
        if end == -1:
            yield start, len(text)
            return
        yield start, end + len(closing)
        start = text.find(opening, end)


def _without(text: str, elements: tuple[str, ...]) -> str:
    """``text`` with comments and the given elements blanked out (newlines kept, so lines still count)."""
    spans = sorted(span for element in elements for span in _blocks(text, element))
    spans += sorted(_comment_spans(text))
    kept = list(text)
    for start, end in spans:
        for index in range(start, end):
            if kept[index] != "\n":
                kept[index] = " "
    return "".join(kept)


def _comment_spans(text: str) -> Iterator[tuple[int, int]]:
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            yield start, len(text)
            return
        yield start, end + 3
        start = text.find("<!--", end)


def _xml_value(block: str, element: str) -> str | None:
    match = re.search(rf"<{element}>\s*([^<\s]+)\s*</{element}>", block)
    return match.group(1) if match else None


def _pom(path: str, text: str) -> Iterator[Dependency]:
    own = _without(text, ("build", "dependencyManagement", "parent", "profiles"))
    project_group = _xml_value(own, "groupId")
    for start, end in _blocks(own, "dependency"):
        block = own[start:end]
        group, artifact, scope = _xml_value(block, "groupId"), _xml_value(block, "artifactId"), _xml_value(block, "scope")
        if not group or not artifact or scope == "test" or group in ("${project.groupId}", project_group):
            continue
        yield Dependency("maven", f"{group}:{artifact}", path, own.count("\n", 0, start) + 1)


_GRADLE_DEPENDENCY = re.compile(
    r"^[ \t]*(implementation|api|compile|runtimeOnly|compileOnly|kapt|annotationProcessor)[ \t]*(?:\([ \t]*)?[\"']([\w.\-]{1,200}):([\w.\-]{1,200})[:\"']",
    re.M,
)


def _gradle(path: str, text: str) -> Iterator[Dependency]:
    for match in _GRADLE_DEPENDENCY.finditer(text):
        yield Dependency("maven", f"{match.group(2)}:{match.group(3)}", path, text.count("\n", 0, match.start()) + 1)


_NUGET = re.compile(r"<(?:PackageReference|package)\s+(?:Include|id)\s*=\s*\"([^\"]{1,200})\"", re.I)


def _nuget(path: str, text: str) -> Iterator[Dependency]:
    for match in _NUGET.finditer(text):
        yield Dependency("nuget", match.group(1), path, text.count("\n", 0, match.start()) + 1)


_GEM = re.compile(r"""^[ \t]*gem[ \t]+["']([\w.\-]{1,200})["']""")
_GEM_GROUP = re.compile(r"^[ \t]*group[ \t]+([^\n]{0,300}?)[ \t]+do\b")
_DEV_GROUP = re.compile(r":(development|test)\b|[\"'](development|test)[\"']")


def _gemfile(path: str, text: str) -> Iterator[Dependency]:
    in_dev_group = False
    for number, line in enumerate(text.splitlines(), 1):
        group = _GEM_GROUP.match(line)
        if group:
            in_dev_group = bool(_DEV_GROUP.search(group.group(1))) and "production" not in group.group(1)
        elif re.match(r"^end\b", line):
            in_dev_group = False
        elif not in_dev_group and (gem := _GEM.match(line)):
            yield Dependency("rubygems", gem.group(1), path, number)


def _composer(path: str, text: str) -> Iterator[Dependency]:
    document = load_json(text)
    required = document.get("require") if isinstance(document, dict) else None
    for name in required if isinstance(required, dict) else ():
        if name != "php" and not name.startswith(("ext-", "lib-")) and "/" in name:
            yield Dependency("packagist", name, path, _line(text, name))


Parser = Callable[[str, str], Iterator[Dependency]]


def parser_for(path: str) -> Parser | None:
    """The parser of a manifest file, or None for files that are not manifests (or only list dev dependencies)."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return None if _DEV_REQUIREMENTS.search(name.removeprefix("requirements")) else _requirements
    if path.rsplit("/", 2)[-2:-1] == ["requirements"] and name.endswith(".txt"):
        return None if _DEV_REQUIREMENTS.search(name) else _requirements
    if name.endswith((".csproj", ".fsproj", ".vbproj")):
        return _nuget
    return {
        "pyproject.toml": _pyproject,
        "Pipfile": _pipfile,
        "package.json": _package_json,
        "go.mod": _go_mod,
        "pom.xml": _pom,
        "build.gradle": _gradle,
        "build.gradle.kts": _gradle,
        "packages.config": _nuget,
        "Gemfile": _gemfile,
        "composer.json": _composer,
    }.get(name)


def dependencies(service: Service, repo: Repository) -> list[Dependency]:
    """The service's runtime dependencies, each once (by ecosystem and name), in manifest order.

    A dependency named like a directory of the repository that holds a manifest
    (``acme-common`` for ``libs/acme-common/``) is the repository's own code, not one to port.
    """
    found: dict[tuple[str, str], Dependency] = {}
    prefix = "" if service.path == "." else service.path + "/"
    own_packages = _package_directories(repo)
    for path in service.files:
        parser = parser_for(path)
        if parser is None or in_non_service_directory(path.removeprefix(prefix)):
            continue
        data = repo.read_bytes(path)
        if data is None:
            continue
        try:
            for dependency in parser(path, data.decode("utf-8", errors="replace")):
                if layout_normalized(re.split(r"[/:]", dependency.name)[-1]) not in own_packages:
                    found.setdefault((dependency.ecosystem, normalized(dependency.ecosystem, dependency.name)), dependency)
        except UnsafeDocument:
            continue
    return list(found.values())


_DIRECTORY_CACHE: list[tuple[Repository, frozenset[str]]] = []


def _package_directories(repo: Repository) -> frozenset[str]:
    """Normalized names of the repository's directories that hold a manifest, once per scan."""
    if _DIRECTORY_CACHE and _DIRECTORY_CACHE[0][0] is repo:
        return _DIRECTORY_CACHE[0][1]
    names = frozenset(
        layout_normalized(record.path.rsplit("/", 2)[-2]) for record in repo.files if "/" in record.path and parser_for(record.path) is not None
    )
    _DIRECTORY_CACHE[:] = [(repo, names)]
    return names


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


@hookimpl
def readiness_analyze_service(service: Service, repo: Repository, settings: Settings) -> list[Finding | Diagnostic]:
    if not applicable(service):
        return []
    mapping, warnings = mapping_for(repo, settings)
    findings: list[Finding | Diagnostic] = list(warnings)
    for dependency in dependencies(service, repo):
        counterpart = mapping.lookup(dependency.ecosystem, dependency.name)
        facts: dict[str, str] = {"ecosystem": dependency.ecosystem, "package": dependency.name}
        if counterpart is None:
            message = f"{dependency.name}: not in the Rust ecosystem mapping"
            findings.append(UNMAPPED.finding(dependency.path, dependency.line, message, snippet=dependency.name, facts=facts))
            continue
        facts.update(rust=counterpart.rust, maturity=counterpart.maturity, what=counterpart.what)
        what = f" ({counterpart.what})" if counterpart.what else ""
        if counterpart.maturity in ("mature", "usable"):
            message = f"{dependency.name}{what} -> {counterpart.rust} ({counterpart.maturity})"
            findings.append(MAPPED.finding(dependency.path, dependency.line, message, snippet=dependency.name, facts=facts))
        else:
            rust = f" ({counterpart.rust})" if counterpart.rust else ""
            message = f"{dependency.name}{what}: {counterpart.maturity} in Rust{rust}"
            findings.append(GAP.finding(dependency.path, dependency.line, message, snippet=dependency.name, facts=facts))
    return findings


@hookimpl
def readiness_score_service(findings: tuple[Finding, ...]) -> list[Contribution]:
    contributions = []
    for finding in findings:
        if finding.rule not in (MAPPED.id, GAP.id, UNMAPPED.id):
            continue
        maturity = finding.fact("maturity")
        points = MATURITY_POINTS[maturity] if isinstance(maturity, str) and maturity in MATURITY_POINTS else UNMAPPED_POINTS
        reason = finding.message if finding.rule != UNMAPPED.id else f"{finding.fact('package')}: no known Rust counterpart"
        contributions.append(
            Contribution(Criterion.ECOSYSTEM, points, reason, rule=finding.rule, evidence=Evidence(finding.path, finding.line, finding.message))
        )
    return contributions
