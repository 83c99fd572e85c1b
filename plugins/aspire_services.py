"""Services and their links from .NET Aspire AppHosts, where the deployment is C# code.

An AppHost project (``Aspire.AppHost.Sdk``, ``<IsAspireHost>``) declares resources in
its ``Program.cs``/``AppHost.cs``: ``builder.AddProject<Projects.Basket_API>("basket-api")``
is the project the AppHost references as ``Basket.API.csproj``; ``AddNpmApp``,
``AddViteApp``, ``AddPythonApp``, ``AddDockerfile``... name a directory; ``AddRedis``,
``AddPostgres``, ``AddRabbitMQ``, ``AddContainer`` and the like are infrastructure
(``postgres.AddDatabase("catalogdb")`` is part of its server). ``.WithReference(x)`` and
``.WaitFor(x)`` are edges. The AppHost itself is listed as tooling.

The source is read, never run: a bounded scan strips comments and strings, splits
top-level statements, and follows call chains (``var x = builder.AddY("n").WithZ(...)``).
Anything it does not recognise (loops, helper methods) is skipped.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Deployment, Diagnostic, Edge, Evidence, Infrastructure, Repository, Service, ServiceCandidate
from readiness_plugins._addresses import UNKNOWN, Directory
from readiness_plugins._layout import RepoIndex, index_of, infrastructure_kind, join, parent, read_text, service_name

MAX_SOURCE_CHARS = 512 * 1024
MAX_SOURCE_FILES = 20
_APPHOST = re.compile(r"Aspire\.AppHost\.Sdk|<IsAspireHost>\s*true|\"Aspire\.Hosting\.AppHost\"", re.I)
_REFERENCE = re.compile(r"<ProjectReference\s+Include\s*=\s*\"([^\"]+)\"")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

INFRASTRUCTURE_METHODS = {
    "AddRedis": "redis", "AddValkey": "redis", "AddGarnet": "redis", "AddAzureRedis": "redis", "AddAzureManagedRedis": "redis",
    "AddPostgres": "postgres", "AddAzurePostgresFlexibleServer": "postgres", "AddRabbitMQ": "rabbitmq", "AddKafka": "kafka",
    "AddMongoDB": "mongodb", "AddSqlServer": "sqlserver", "AddAzureSqlServer": "sqlserver", "AddMySql": "mysql",
    "AddOracle": "oracle", "AddNats": "nats", "AddElasticsearch": "elasticsearch", "AddSeq": "logging",
    "AddQdrant": "vector-db", "AddMilvus": "vector-db", "AddKeycloak": "identity", "AddOllama": "llm",
    "AddAzureOpenAI": "llm", "AddOpenAI": "llm", "AddAzureStorage": "object-storage", "AddAzureServiceBus": "servicebus",
    "AddAzureCosmosDB": "cosmosdb", "AddAzureEventHubs": "eventhubs", "AddAzureKeyVault": "vault",
    "AddAzureSearch": "search", "AddAzureSignalR": "signalr", "AddAzureAppConfiguration": "configuration",
    "AddYarp": "proxy", "AddMailPit": "mail", "AddMemcached": "memcached", "AddConnectionString": "external",
}
PROJECT_METHODS = frozenset({"AddProject", "AddCSharpApp"})
DIRECTORY_METHODS = {
    "AddNpmApp": 1, "AddNodeApp": 1, "AddJavaScriptApp": 1, "AddViteApp": 1, "AddPythonApp": 1, "AddUvicornApp": 1,
    "AddPythonModule": 1, "AddPythonScript": 1, "AddDockerfile": 1, "AddGolangApp": 1, "AddJavaApp": 1,
    "AddSpringApp": 1, "AddRustApp": 1, "AddBunApp": 1, "AddDenoApp": 1, "AddExecutable": 2,
}
"""Methods naming a directory of the repository, and which argument holds it."""
CHILD_METHODS = frozenset({"AddDatabase", "AddBlobs", "AddQueues", "AddTables", "AddDeployment", "AddHub", "AddTopic", "AddQueue", "AddSubscription", "AddBlobContainer"})
EDGE_METHODS = frozenset({"WithReference", "WaitFor", "WaitForCompletion"})
"""Calls that make one resource depend on another. ``WithEnvironment`` is left out: AppHosts pass
endpoints there for callbacks and redirects as often as for calls."""
_CONSTANT = re.compile(r'^\s*(?:const\s+)?string\s+([A-Za-z_]\w*)\s*=\s*"#(\d+)"\s*$')


@dataclass(slots=True)
class Resource:
    name: str
    line: int
    kind: str | None = None
    """Infrastructure kind, or None for code of the repository."""
    directory: str | None = None
    image: str | None = None
    references: list[tuple[str, int, str]] = field(default_factory=list)
    """(variable, line, method) of each reference to another resource."""


@dataclass(slots=True)
class AppHost:
    project: str
    directory: str
    source: str
    resources: dict[str, Resource]


# --- reading C# just enough ------------------------------------------------------------


def _blank_comments_and_strings(text: str) -> tuple[str, list[str]]:
    """The text with comments blanked and each string literal replaced by ``"#N"`` (N indexes the returned strings).

    Newlines survive, so positions still give line numbers.
    """
    out: list[str] = []
    strings: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end
        elif char == '"' or (char in "@$" and text.startswith('"', i + 1)) or text.startswith(('$@"', '@$"'), i):
            start = text.index('"', i)
            verbatim = "@" in text[i:start]
            j = start + 1
            while j < n:
                if text[j] == "\\" and not verbatim:
                    j += 2
                    continue
                if text[j] == '"':
                    if verbatim and text.startswith('""', j):
                        j += 2
                        continue
                    break
                j += 1
            literal = text[start + 1 : j]
            strings.append(literal)
            token = f'"#{len(strings) - 1}"'
            out.append(token + "\n" * literal.count("\n"))
            i = j + 1
        elif char == "'":
            end = text.find("'", i + 2 if text.startswith("\\", i + 1) else i + 1)
            i = n if end < 0 else end + 1
            out.append("' '")
        else:
            out.append(char)
            i += 1
    return "".join(out), strings


@dataclass(slots=True)
class Call:
    method: str
    generic: str
    arguments: str
    line: int


def _balanced(text: str, start: int, opening: str, closing: str) -> int:
    """Index just after the bracket closing the one at ``start``, or -1."""
    depth = 0
    for index in range(start, min(len(text), start + 20000)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def _chain(statement: str, offset: int, text: str) -> tuple[str | None, str | None, list[Call]]:
    """(assigned variable, receiver, calls) of ``[var x =] receiver.M1<G>(a).M2(b)...``."""
    assigned = re.match(r"\s*(?:var|IResourceBuilder<[^=;]*>)\s+([A-Za-z_]\w*)\s*=\s*|\s*([A-Za-z_]\w*)\s*=\s*(?!=)", statement)
    position = assigned.end() if assigned else 0
    variable = (assigned.group(1) or assigned.group(2)) if assigned else None
    receiver = re.match(r"\s*(?:await\s+)?([A-Za-z_][\w]*)", statement[position:])
    if receiver is None:
        return variable, None, []
    position += receiver.end()
    calls = []
    while True:
        member = re.match(r"\s*\.\s*([A-Za-z_]\w*)\s*", statement[position:])
        if member is None:
            break
        position += member.end()
        generic = ""
        if statement.startswith("<", position):
            end = _balanced(statement, position, "<", ">")
            if end < 0:
                break
            generic = statement[position + 1 : end - 1]
            position = end
        while position < len(statement) and statement[position] in " \t\r\n":
            position += 1
        if not statement.startswith("(", position):
            calls.append(Call(member.group(1), generic, "", text.count("\n", 0, offset + position) + 1))
            continue
        end = _balanced(statement, position, "(", ")")
        if end < 0:
            break
        calls.append(Call(member.group(1), generic, statement[position + 1 : end - 1], text.count("\n", 0, offset + position) + 1))
        position = end
    return variable, receiver.group(1), calls


def _statements(code: str) -> list[tuple[int, str]]:
    """(offset, text) of each statement: split at semicolons and block braces outside parentheses."""
    statements = []
    depth = 0
    start = 0
    for index, char in enumerate(code):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and char in ";{}":
            if char == ";":
                statements.append((start, code[start:index]))
            start = index + 1
    return statements


def _string_argument(arguments: str, strings: list[str], position: int, constants: dict[str, str]) -> str | None:
    """The argument at ``position`` when it is a string literal or a string constant."""
    parts = _split_arguments(arguments)
    if position >= len(parts):
        return None
    argument = re.sub(r"^\s*\w+\s*:\s*", "", parts[position]).strip()
    literal = re.fullmatch(r'"#(\d+)"', argument)
    if literal:
        return strings[int(literal.group(1))]
    return constants.get(argument)


def _split_arguments(arguments: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in arguments:
        if char in "(<[{":
            depth += 1
        elif char in ")>]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if current or parts:
        parts.append("".join(current))
    return parts


# --- the AppHost model ------------------------------------------------------------------


def _project_directories(index: RepoIndex, project: str, text: str) -> dict[str, str]:
    """``Projects.Basket_API`` type names -> directories of the projects the AppHost references."""
    base = parent(project)
    found = {}
    for reference in _REFERENCE.findall(text):
        path = join(base, reference)
        if path is None:
            continue
        name = posixpath.basename(path).rsplit(".", 1)[0]
        found[re.sub(r"[^A-Za-z0-9_]", "_", name)] = parent(path)
    return found


def _read_apphost(repo: Repository, index: RepoIndex, project: str, text: str, warnings: list[Diagnostic]) -> AppHost:
    directory = parent(project)
    projects = _project_directories(index, project, text)
    prefix = "" if directory == "." else directory + "/"
    sources = [r.path for r in index.files_under(directory) if r.path.endswith(".cs") and "/" not in r.path[len(prefix):]]
    sources.sort(key=lambda p: (posixpath.basename(p) not in ("Program.cs", "AppHost.cs"), p))
    resources: dict[str, Resource] = {}
    variables: dict[str, str] = {}
    source = sources[0] if sources else project
    for path in sources[:MAX_SOURCE_FILES]:
        data = repo.read_bytes(path)
        if data is None or (b"DistributedApplication" not in data and b"builder.Add" not in data):
            continue
        if len(data) > MAX_SOURCE_CHARS:
            warnings.append(Diagnostic("warning", f"AppHost source larger than {MAX_SOURCE_CHARS // 1024} KiB, not read", path=path))
            continue
        source = path
        text_here = data.decode("utf-8", errors="replace")
        code, strings = _blank_comments_and_strings(text_here)
        constants: dict[str, str] = {}
        for offset, statement in _statements(code):
            constant = _CONSTANT.match(statement)
            if constant:
                constants[constant.group(1)] = strings[int(constant.group(2))]
                continue
            _interpret(statement, offset, code, Literals(strings, constants), directory, projects, index, resources, variables)
        break
    return AppHost(project, directory, source, resources)


@dataclass(frozen=True, slots=True)
class Literals:
    strings: list[str]
    constants: dict[str, str]

    def argument(self, arguments: str, position: int) -> str | None:
        return _string_argument(arguments, self.strings, position, self.constants)


def _interpret(
    statement: str, offset: int, code: str, literals: Literals, directory: str, projects: dict[str, str],
    index: RepoIndex, resources: dict[str, Resource], variables: dict[str, str],
) -> None:
    variable, receiver, calls = _chain(statement, offset, code)
    if receiver is None or not calls:
        return
    current: str | None = variables.get(receiver)
    for call in calls:
        name = literals.argument(call.arguments, 0)
        if call.method in PROJECT_METHODS and name:
            project_type = call.generic.rsplit(".", 1)[-1]
            path = projects.get(project_type)
            project_path = literals.argument(call.arguments, 1)
            if path is None and project_path:
                target = join(directory, project_path)
                path = parent(target) if target and target.endswith("proj") else target
            current = name
            resources[name] = Resource(name, call.line, directory=path)
        elif call.method in DIRECTORY_METHODS and name:
            relative = literals.argument(call.arguments, DIRECTORY_METHODS[call.method])
            target = join(directory, relative) if relative else None
            if target is not None and not index.is_directory(target):
                target = parent(target) if index.exists(target) else None
            current = name
            resources[name] = Resource(name, call.line, directory=target)
        elif call.method == "AddContainer" and name:
            current = name
            image = literals.argument(call.arguments, 1)
            resources[name] = Resource(name, call.line, kind=infrastructure_kind(image or "") or "other", image=image)
        elif call.method in INFRASTRUCTURE_METHODS and name:
            current = name
            resources[name] = Resource(name, call.line, kind=INFRASTRUCTURE_METHODS[call.method])
        elif call.method in EDGE_METHODS and current in resources:
            for argument in _split_arguments(call.arguments):
                for word in _IDENTIFIER.findall(argument):
                    if word in variables and variables[word] != current:
                        resources[current].references.append((variables[word], call.line, call.method))
                        break
    if variable is not None and current is not None:
        variables[variable] = current


# --- hooks -------------------------------------------------------------------------------

_cache: list[tuple[Repository, list[AppHost], list[Diagnostic]]] = []


def _apphosts(repo: Repository) -> tuple[list[AppHost], list[Diagnostic]]:
    if _cache and _cache[0][0] is repo:
        return _cache[0][1], _cache[0][2]
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    found = []
    for record in index.named(lambda n: n.endswith((".csproj", ".fsproj"))):
        text = read_text(repo, record.path, warnings)
        if text is not None and _APPHOST.search(text):
            found.append(_read_apphost(repo, index, record.path, text, warnings))
    _cache[:] = [(repo, found, warnings)]
    return found, warnings


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Infrastructure | Diagnostic]:
    apphosts, warnings = _apphosts(repo)
    found: list[ServiceCandidate | Infrastructure | Diagnostic] = []
    for apphost in apphosts:
        name = service_name(apphost.directory, repo.info.name)
        found.append(
            ServiceCandidate(apphost.directory, name, Evidence(apphost.project, 1, ".NET Aspire AppHost: the code that deploys the others"), "tooling", manifests=(apphost.project,))
        )
        for resource in apphost.resources.values():
            deployment = Deployment("aspire", apphost.source, resource.name, resource.line)
            if resource.kind is not None:
                evidence = Evidence(apphost.source, resource.line, f"Aspire {resource.kind} resource {resource.name!r}")
                found.append(Infrastructure(resource.name, resource.kind, (evidence,), resource.image, deployments=(deployment,)))
            elif resource.directory is not None:
                evidence = Evidence(apphost.source, resource.line, f"Aspire resource {resource.name!r} runs {resource.directory}")
                found.append(ServiceCandidate(resource.directory, resource.name, evidence, deployments=(deployment,), named_by_deployment=True))
    return [*found, *warnings]


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    apphosts, _ = _apphosts(repo)
    directory = Directory(services, infrastructure)
    edges = []
    for apphost in apphosts:
        for resource in apphost.resources.values():
            source = directory.resolve(resource.name)
            for target_resource, line, method in resource.references:
                target = directory.resolve(target_resource)
                if source is None or target is None:
                    continue
                protocol = directory.protocol(target, None) if directory.kinds.get(target) else UNKNOWN
                evidence = Evidence(apphost.source, line, f"{resource.name}.{method}({target_resource})")
                edges.append(Edge(source, target, protocol, (evidence,)))
    return edges
