"""Reading a Dockerfile for what a service detector needs: its stages, what it copies, what it runs.

Not a plugin. The compose, Kubernetes and Dockerfile detectors share it to find the
source tree an image is built from (the directories its ``COPY`` and ``ADD`` take from
the build context, with build arguments substituted, for the stage a ``target`` picks)
and what the image is for (a base image and a command that say worker, load generator,
static web server or datastore).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from readiness.model import Evidence, Infrastructure, ServiceCandidate
from readiness_plugins._layout import (
    MANIFEST_NAMES,
    RepoIndex,
    infrastructure_kind,
    is_load_generator_image,
    join,
    parent,
    role_of_command,
    service_name,
)

MAX_DOCKERFILE_CHARS = 256 * 1024
MAX_INSTRUCTIONS = 2000

DOCKERFILE_NAME = re.compile(r"^(Dockerfile|Containerfile)([._-][\w.-]+)?$|^[\w.-]+\.(dockerfile|Dockerfile)$")

_STATIC_SERVERS = frozenset({"nginx", "httpd", "caddy", "lighttpd"})
_LOAD_TOOLS = re.compile(r"\b(apache2-utils|httpd-tools|locust|k6|jmeter|wrk|vegeta|artillery|siege)\b")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def is_dockerfile(name: str) -> bool:
    return bool(DOCKERFILE_NAME.match(name)) and not name.endswith((".dockerignore", ".md", ".txt", ".sh"))


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    """Upper case: ``FROM``, ``COPY``, ``RUN``..."""
    arguments: str
    line: int


@dataclass(slots=True)
class Stage:
    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)


@dataclass(slots=True)
class Dockerfile:
    stages: list[Stage]
    arguments: dict[str, str]
    """Global ``ARG`` defaults, declared before the first ``FROM``."""


def parse(text: str) -> Dockerfile:
    """The stages of a Dockerfile; continuation lines joined, heredoc bodies skipped, never raising."""
    text = text[:MAX_DOCKERFILE_CHARS]
    escape = "`" if re.match(r"^\s*#\s*escape\s*=\s*`", text) else "\\"
    stages: list[Stage] = []
    arguments: dict[str, str] = {}
    lines = text.splitlines()
    number = 0
    count = 0
    while number < len(lines) and count < MAX_INSTRUCTIONS:
        start = number
        line = lines[number].strip()
        number += 1
        if not line or line.startswith("#"):
            continue
        while line.endswith(escape) and number < len(lines):
            following = lines[number].strip()
            number += 1
            if following.startswith("#"):
                continue
            line = line[:-1] + " " + following
        keyword, _, rest = line.partition(" ")
        instruction = Instruction(keyword.upper(), rest.strip(), start + 1)
        count += 1
        heredoc = re.search(r"<<-?[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?", rest)
        if heredoc:
            while number < len(lines) and lines[number].strip() != heredoc.group(1):
                number += 1
            number += 1
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            if words:
                name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
                stages.append(Stage(words[0], name, instruction.line))
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            arguments.update(_argument(instruction.arguments))
    return Dockerfile(stages, arguments)


def _argument(text: str) -> dict[str, str]:
    name, _, default = text.partition("=")
    return {name.strip(): default.strip().strip("\"'")} if name.strip() else {}


def substitute(text: str, variables: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME:-default}`` replaced; unknown variables left as written."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        if variables.get(name):
            return variables[name]
        if match.group(2) is not None and match.group(0).find(":+") < 0:
            return match.group(2)
        return match.group(0)

    return _VARIABLE.sub(value, text)


def _stage_index(dockerfile: Dockerfile, reference: str) -> int | None:
    for index, stage in enumerate(dockerfile.stages):
        if stage.name is not None and stage.name.lower() == reference.lower():
            return index
    if reference.isdigit() and int(reference) < len(dockerfile.stages):
        return int(reference)
    return None


def _target_index(dockerfile: Dockerfile, target: str | None) -> int:
    found = _stage_index(dockerfile, target) if target else None
    return found if found is not None else len(dockerfile.stages) - 1


def _flags(arguments: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    rest = arguments
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        name, _, value = flag[2:].partition("=")
        flags[name.lower()] = value
        rest = rest.lstrip()
    return flags, rest


def _operands(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            values = json.loads(rest)
        except ValueError:
            values = None
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return values
    return rest.split()


def needed_stages(dockerfile: Dockerfile, target: str | None) -> list[int]:
    """The stages building ``target`` (the last stage by default) needs, through ``FROM stage`` and ``COPY --from``."""
    if not dockerfile.stages:
        return []
    wanted = [_target_index(dockerfile, target)]
    needed: set[int] = set()
    while wanted:
        index = wanted.pop()
        if index in needed:
            continue
        needed.add(index)
        stage = dockerfile.stages[index]
        base = _stage_index(dockerfile, stage.base)
        if base is not None and base < index:
            wanted.append(base)
        for instruction in stage.instructions:
            if instruction.keyword in ("COPY", "ADD"):
                source = _flags(instruction.arguments)[0].get("from")
                found = _stage_index(dockerfile, source) if source else None
                if found is not None and found < index:
                    wanted.append(found)
    return sorted(needed)


def final_base(dockerfile: Dockerfile, target: str | None) -> str | None:
    """The third-party image the target stage is built on, following ``FROM stage`` chains."""
    if not dockerfile.stages:
        return None
    index: int | None = _target_index(dockerfile, target)
    seen = set()
    while index is not None and index not in seen:
        seen.add(index)
        base = dockerfile.stages[index].base
        following = _stage_index(dockerfile, base)
        if following is None or following >= index:
            return substitute(base, dockerfile.arguments)
        index = following
    return None


@dataclass(frozen=True, slots=True)
class CopiedSource:
    path: str
    """Repository-relative path the instruction copies (a file or a directory)."""
    line: int
    from_argument: bool
    """True when a build argument chose the path (``COPY services/${SERVICE} .``): it names the service."""


def copied_sources(dockerfile: Dockerfile, context: str, target: str | None, build_args: dict[str, str]) -> list[CopiedSource]:
    """What the target's stages copy from the build context, resolved to repository paths."""
    found = []
    for index in needed_stages(dockerfile, target):
        variables = dict(dockerfile.arguments)
        for instruction in dockerfile.stages[index].instructions:
            if instruction.keyword == "ARG":
                variables.update({k: v for k, v in _argument(instruction.arguments).items() if k not in variables or v})
                continue
            if instruction.keyword not in ("COPY", "ADD"):
                continue
            flags, rest = _flags(instruction.arguments)
            if "from" in flags:
                continue
            operands = _operands(rest)
            for source in operands[:-1]:
                resolved = substitute(source, {**variables, **build_args})
                if "$" in resolved or "://" in resolved:
                    continue
                literal = re.split(r"[*?\[]", resolved, maxsplit=1)[0]
                path = join(context, literal.rstrip("/") or ".") if literal else context
                if path is not None:
                    found.append(CopiedSource(path, instruction.line, resolved != source))
    return found


def source_root(index: RepoIndex, dockerfile_path: str, dockerfile: Dockerfile, context: str, target: str | None, build_args: dict[str, str]) -> tuple[str, int]:
    """The directory holding the source an image is built from, and the line that says so.

    A Dockerfile kept beside its service's code names that directory even when the build
    context is a parent (``docker build -f services/cart/Dockerfile .``). Otherwise a
    path chosen by a build argument names the service; then the whole context copied in
    names the context; then the one copied directory with a build manifest.
    """
    copied = copied_sources(dockerfile, context, target, build_args)
    first_line = copied[0].line if copied else 0
    home = parent(dockerfile_path)
    if home != context and _inside(home, context) and _has_source(index, home, dockerfile_path):
        return home, first_line
    for source in copied:
        if source.from_argument:
            return _directory(index, source.path, context), source.line
    if not copied or any(source.path == context for source in copied):
        return context, first_line
    directories = sorted({_directory(index, source.path, context) for source in copied} - {context})
    with_manifest = [d for d in directories if any(index.exists(f"{d}/{name}") for name in MANIFEST_NAMES)]
    if len(with_manifest) == 1:
        return with_manifest[0], next(s.line for s in copied if _inside(s.path, with_manifest[0]))
    return context, first_line


def _inside(path: str, directory: str) -> bool:
    return directory == "." or path == directory or path.startswith(directory + "/")


def _directory(index: RepoIndex, path: str, context: str) -> str:
    if index.is_directory(path):
        return path
    directory = parent(path)
    return directory if _inside(directory, context) else context


def _has_source(index: RepoIndex, directory: str, dockerfile_path: str) -> bool:
    return any(record.path != dockerfile_path for record in index.source_files_under(directory)) or any(
        index.exists(f"{directory}/{name}") for name in MANIFEST_NAMES
    )


def commands(dockerfile: Dockerfile, target: str | None) -> list[Instruction]:
    """The ``RUN``, ``CMD`` and ``ENTRYPOINT`` instructions of the stages the target needs."""
    return [
        instruction
        for index in needed_stages(dockerfile, target)
        for instruction in dockerfile.stages[index].instructions
        if instruction.keyword in ("RUN", "CMD", "ENTRYPOINT")
    ]


def leaf_stages(dockerfile: Dockerfile) -> list[int]:
    """Stages no other stage builds on: the targets a build can mean."""
    used = {index for leaf in range(len(dockerfile.stages)) for index in needed_stages(dockerfile, str(leaf)) if index != leaf}
    return [index for index in range(len(dockerfile.stages)) if index not in used]


def role_hint(dockerfile: Dockerfile, target: str | None) -> tuple[str, int] | None:
    """(role, line) when the image says what it is for: a load generator, a UI served statically, a worker.

    Without a target, a Dockerfile with several final stages (``api``, ``worker``) says nothing.
    """
    if target is None and len(leaf_stages(dockerfile)) > 1:
        return None
    base = final_base(dockerfile, target) or ""
    base_line = dockerfile.stages[_target_index(dockerfile, target)].line if dockerfile.stages else 0
    if is_load_generator_image(base):
        return "load-generator", base_line
    for instruction in commands(dockerfile, target):
        text = instruction.arguments.lower()
        if instruction.keyword == "RUN" and _LOAD_TOOLS.search(text) and re.search(r"\b(apt-get|apk|yum|dnf|pip|npm)\b", text):
            return "load-generator", instruction.line
        role = role_of_command(text) if instruction.keyword != "RUN" else None
        if role is not None:
            return role, instruction.line
    if infrastructure_kind(base) == "proxy" and base.split("/")[-1].split(":")[0] in _STATIC_SERVERS:
        final = dockerfile.stages[_target_index(dockerfile, target)]
        if any(i.keyword == "COPY" and "from" in _flags(i.arguments)[0] for i in final.instructions):
            return "frontend", base_line
    return None


def guess_context(index: RepoIndex, dockerfile_path: str, dockerfile: Dockerfile) -> str:
    """The build context a Dockerfile is written for: its directory, unless what it copies exists from the root instead."""
    home = parent(dockerfile_path)

    def missing(context: str) -> int:
        paths = [s.path for s in copied_sources(dockerfile, context, None, {}) if not s.from_argument]
        return sum(not (index.exists(path) or index.is_directory(path)) for path in paths)

    return "." if home != "." and missing(home) > missing(".") else home


def describe(
    index: RepoIndex, repository_name: str, dockerfile_path: str, dockerfile: Dockerfile, context: str, target: str | None, build_args: dict[str, str]
) -> ServiceCandidate | Infrastructure:
    """What one build of a Dockerfile makes: a service rooted where its source is, or infrastructure."""
    root, line = source_root(index, dockerfile_path, dockerfile, context, target, build_args)
    base = final_base(dockerfile, target) or ""
    hint = role_hint(dockerfile, target)
    evidence_line = line or (dockerfile.stages[0].line if dockerfile.stages else 1)
    name = service_name(root, repository_name)
    if hint is None and not index.program_files_under(root):
        return Infrastructure(
            name=name,
            kind=infrastructure_kind(base) or "other",
            evidence=(Evidence(dockerfile_path, dockerfile.stages[-1].line, f"Dockerfile configures the {base} image; no program source in {root}"),),
            image=base,
            path=root,
        )
    detail = f"Dockerfile builds an image from {root}"
    role = None
    if hint is None and infrastructure_kind(base) == "proxy":
        # A web server image with the repository's pages in it serves a UI.
        hint = ("frontend", dockerfile.stages[-1].line)
    if hint is not None:
        role, evidence_line = hint
        detail += f" ({role})"
    return ServiceCandidate(
        path=root,
        name=name,
        evidence=Evidence(dockerfile_path, evidence_line, detail),
        role=role,
        manifests=root_manifests(index, root),
        dockerfiles=(dockerfile_path,),
    )


def root_manifests(index: RepoIndex, root: str) -> tuple[str, ...]:
    """The build manifests at a source root (package.json, go.mod, *.csproj, CMakeLists.txt...)."""
    prefix = "" if root == "." else root + "/"
    found = [prefix + name for name in sorted(MANIFEST_NAMES - {"Makefile"}) if index.exists(prefix + name)]
    found += [r.path for r in index.files_under(root) if r.path.endswith((".csproj", ".fsproj")) and "/" not in r.path[len(prefix):]]
    return tuple(found)
