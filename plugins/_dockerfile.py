"""Reading a Dockerfile for what a service detector needs: its stages, what it copies, what it runs.

Not a plugin, and no parser: it reads the records
:mod:`readiness_plugins._dockerfile_syntax` makes. The compose, Kubernetes and
Dockerfile detectors share it to find the source tree an image is built from (the
directories its ``COPY`` and ``ADD`` take from the build context, with build arguments
substituted, for the stage a ``target`` picks) and what the image is for (a base image
and a command that say worker, load generator, static web server or datastore).
"""

from __future__ import annotations

import re
from collections import ChainMap
from dataclasses import dataclass

from readiness.model import Evidence, Infrastructure, ServiceCandidate
from readiness_plugins._dockerfile_syntax import Dockerfile, Instruction, Stage, arg_pairs, substitute
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

DOCKERFILE_NAME = re.compile(r"^(Dockerfile|Containerfile)([._-][\w.-]+)?$|^[\w.-]+\.(dockerfile|Dockerfile)$")

_STATIC_SERVERS = frozenset({"nginx", "httpd", "caddy", "lighttpd"})
_LOAD_TOOLS = re.compile(r"\b(apache2-utils|httpd-tools|locust|k6|jmeter|wrk|vegeta|artillery|siege)\b")


def is_dockerfile(name: str) -> bool:
    return bool(DOCKERFILE_NAME.match(name)) and not name.endswith((".dockerignore", ".md", ".txt", ".sh"))


def _target(dockerfile: Dockerfile, target: str | None) -> Stage:
    """The stage a build of ``target`` ends with: the last one when no target is given or it names none."""
    found = dockerfile.stage(target) if target else None
    return found if found is not None else dockerfile.stages[-1]


def _dependencies(stage: Stage) -> list[int]:
    return ([stage.parent] if stage.parent is not None else []) + list(stage.copies_from)


def needed_stages(dockerfile: Dockerfile, target: str | None) -> list[int]:
    """The stages building ``target`` (the last stage by default) needs, through ``FROM stage`` and ``COPY --from``."""
    if not dockerfile.stages:
        return []
    wanted = [_target(dockerfile, target).index]
    needed: set[int] = set()
    while wanted:
        index = wanted.pop()
        if index not in needed:
            needed.add(index)
            wanted.extend(_dependencies(dockerfile.stages[index]))
    return sorted(needed)


def final_base(dockerfile: Dockerfile, target: str | None) -> str | None:
    """The third-party image the target stage is built on, following ``FROM stage`` chains.

    As written (``${BASE}``) when build arguments leave it empty: that says more than nothing.
    """
    if not dockerfile.stages:
        return None
    stage = _target(dockerfile, target)
    return stage.image or dockerfile.lineage(stage)[-1].base


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
    global_arguments = dict(dockerfile.arguments)
    for index in needed_stages(dockerfile, target):
        # Build arguments win over the stage's own ARG defaults, which win over the global ones.
        declared: dict[str, str | None] = {}
        variables = ChainMap[str, str | None](build_args, declared, global_arguments)
        for instruction in dockerfile.stages[index].instructions:
            if instruction.keyword == "ARG":
                declared.update({name: default for name, default in arg_pairs(instruction.arguments) if default or name not in variables})
                continue
            if instruction.keyword not in ("COPY", "ADD") or instruction.option("from") is not None:
                continue
            for source in instruction.operands[:-1]:
                if source.startswith("<<") and instruction.heredocs:
                    # The file's content is written in the Dockerfile: nothing comes from the context.
                    continue
                resolved = substitute(source, variables, keep_unset=True)
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
    used = {index for stage in dockerfile.stages for index in _dependencies(stage)}
    return [index for index in range(len(dockerfile.stages)) if index not in used]


def role_hint(dockerfile: Dockerfile, target: str | None) -> tuple[str, int] | None:
    """(role, line) when the image says what it is for: a load generator, a UI served statically, a worker.

    Without a target, a Dockerfile with several final stages (``api``, ``worker``) says nothing.
    """
    if target is None and len(leaf_stages(dockerfile)) > 1:
        return None
    base = final_base(dockerfile, target) or ""
    base_line = _target(dockerfile, target).line if dockerfile.stages else 0
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
        if any(i.keyword == "COPY" and i.option("from") is not None for i in _target(dockerfile, target).instructions):
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
