"""A Dockerfile parser that never gives up: stages, base images, commands, ports, users.

Not a plugin: the service detectors (through :mod:`readiness_plugins._dockerfile`) and
the runtime plugins share it, so that they all read the same instructions. It follows
BuildKit's reading of a Dockerfile closely enough to find what a container runs and what
it is built from: parser directives (``# escape=``) at the top, comment lines dropped
even inside line continuations, heredocs (``RUN <<EOF``) consumed as bodies, ``FROM``
with build arguments substituted and with references to earlier stages resolved, exec
form (a JSON array) told apart from shell form. What it cannot make sense of (an unknown
instruction, a stray line, a heredoc that never ends) becomes a *problem* with its line;
parsing goes on with the next line.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from readiness_plugins._runtime_flags import shell_words

MAX_CHARS = 1 << 20
"""The default max-file-size: a real Dockerfile is far smaller, and splitting a bigger text into lines costs memory."""
MAX_LINES = 20_000
MAX_LINE = 16_384
MAX_INSTRUCTIONS = 5_000
MAX_PROBLEMS = 20

KEYWORDS = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    }
)  # fmt: skip
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_DIRECTIVE = re.compile(r"#\s*([A-Za-z][A-Za-z0-9_-]{0,30})\s*=\s*(\S{0,200})\s*")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]{0,63})\2")
_TERMINATOR = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_OPTIONS = re.compile(r"(?:--\S*(?:\s+|\Z))*")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]{0,100})(?::?([-+])([^}]{0,500}))?\}|\$([A-Za-z_][A-Za-z0-9_]{0,100})")


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    """Upper-case, e.g. ``ENTRYPOINT``."""
    arguments: str
    """Everything after the keyword, continuation lines joined by spaces."""
    line: int
    argv: tuple[str, ...] | None = None
    """The exec form's words when the arguments are a JSON array of strings, else None (shell form)."""
    heredocs: tuple[str, ...] = ()

    @property
    def words(self) -> list[str]:
        """The command as words, whichever form it was written in (options such as ``--from`` included)."""
        return list(self.argv) if self.argv is not None else shell_words(self.arguments)

    def option(self, name: str) -> str | None:
        """The value of a leading ``--name=value`` option (``COPY --from=builder``)."""
        for word in shell_words(self.arguments):
            if not word.startswith("--"):
                return None
            key, _, value = word[2:].partition("=")
            if key == name:
                return value
        return None

    @property
    def operands(self) -> list[str]:
        """The words after the leading options, exec form read after them as BuildKit does (``COPY --chown=app ["a b", "/srv/"]``)."""
        match = _OPTIONS.match(self.arguments)
        rest = self.arguments[match.end() if match else 0 :]
        argv = _exec_form(rest)
        return list(argv) if argv is not None else shell_words(rest)


@dataclass(frozen=True, slots=True)
class Stage:
    index: int
    name: str | None
    """The ``AS`` name, lower-cased as BuildKit compares it."""
    base: str
    """The base image as written, e.g. ``${BASE}:17-jdk``."""
    image: str
    """The base image with build arguments substituted and earlier stages resolved to their own base."""
    parent: int | None
    """The earlier stage this one builds on (``FROM builder``), if any."""
    line: int
    instructions: tuple[Instruction, ...] = ()
    copies_from: tuple[int, ...] = ()
    """The earlier stages its ``COPY --from`` (or ``ADD --from``) instructions name, by index."""

    def last(self, keyword: str) -> Instruction | None:
        for instruction in reversed(self.instructions):
            if instruction.keyword == keyword:
                return instruction
        return None

    def all(self, keyword: str) -> list[Instruction]:
        return [instruction for instruction in self.instructions if instruction.keyword == keyword]


@dataclass(frozen=True, slots=True)
class Dockerfile:
    stages: tuple[Stage, ...]
    problems: tuple[str, ...] = ()
    """What could not be read, one line each with its line number."""
    directives: tuple[tuple[str, str], ...] = ()
    arguments: tuple[tuple[str, str | None], ...] = ()
    """Global build arguments (``ARG`` before the first ``FROM``) and their defaults, None when there is none."""

    @property
    def final(self) -> Stage | None:
        """The stage ``docker build`` produces without ``--target``: the last one."""
        return self.stages[-1] if self.stages else None

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage and the earlier stages it builds on, nearest first."""
        chain = [stage]
        while chain[-1].parent is not None and len(chain) <= len(self.stages):
            chain.append(self.stages[chain[-1].parent])
        return chain

    def inherited(self, stage: Stage, keyword: str) -> Instruction | None:
        """The last ``keyword`` instruction in effect for the stage, looking through the stages it builds on."""
        for ancestor in self.lineage(stage):
            found = ancestor.last(keyword)
            if found is not None:
                return found
        return None

    def environment(self, stage: Stage) -> list[tuple[str, str, int]]:
        """Every ``ENV`` setting in effect for the stage, as (name, value, line), inherited ones first."""
        settings: list[tuple[str, str, int]] = []
        for ancestor in reversed(self.lineage(stage)):
            for instruction in ancestor.all("ENV"):
                settings.extend((name, value, instruction.line) for name, value in env_pairs(instruction.arguments))
        return settings

    def sources(self, stage: Stage) -> list[Stage]:
        """Earlier stages this stage copies files from (``COPY --from=builder``)."""
        return [self.stages[index] for index in stage.copies_from]

    def stage(self, reference: str) -> Stage | None:
        """The stage a ``--target`` names: by its ``AS`` name or by its index."""
        wanted = reference.lower()
        return next((stage for stage in self.stages if stage.name == wanted or str(stage.index) == reference), None)


@dataclass
class _Builder:
    escape: str = "\\"
    global_args: dict[str, str | None] = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)
    named: dict[str, int] = field(default_factory=dict)
    """The first stage of each ``AS`` name, so that resolving ``FROM name`` does not rescan the stages."""
    current: list[Instruction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    terminators: dict[bool, dict[str, list[int]]] = field(default_factory=dict)
    """Per tab-stripping mode, the lines that could end a heredoc, so that an unclosed one does not rescan the file."""

    def problem(self, line: int, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"line {line}: {text}")

    def close_stage(self) -> None:
        if self.stages:
            index = self.stages[-1].index
            self.stages[-1] = dataclasses.replace(self.stages[-1], instructions=tuple(self.current), copies_from=self.copied_stages(index))
        self.current = []

    def copied_stages(self, index: int) -> tuple[int, ...]:
        """The earlier stages the current stage's ``COPY --from`` and ``ADD --from`` name, COPY first."""
        found: dict[int, None] = {}
        for keyword in ("COPY", "ADD"):
            for instruction in self.current:
                source = instruction.option("from") if instruction.keyword == keyword else None
                if source is None:
                    continue
                earlier = self.named.get(source.lower())
                if earlier is None and source.isascii() and source.isdigit() and len(source) < 6:
                    earlier = int(source)
                if earlier is not None and earlier < index:
                    found[earlier] = None
        return tuple(found)


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse a Dockerfile; never raises, whatever the text."""
    read = text[:MAX_CHARS].splitlines()
    lines = [line[:MAX_LINE] for line in read[:MAX_LINES]]
    builder = _Builder()
    if len(text) > MAX_CHARS or len(read) > MAX_LINES:
        builder.problem(len(lines), f"longer than {MAX_LINES:,} lines or {MAX_CHARS:,} characters, the rest not read")
    directives = _directives(lines)
    for name, value in directives:
        if name == "escape" and value in ("\\", "`"):
            builder.escape = value
    count = 0
    for line_number, keyword, arguments, heredocs in _logical_lines(lines, len(directives), builder):
        count += 1
        if count > MAX_INSTRUCTIONS:
            builder.problem(line_number, f"more than {MAX_INSTRUCTIONS} instructions, the rest not read")
            break
        _instruction(builder, line_number, keyword, arguments, heredocs)
    builder.close_stage()
    return Dockerfile(tuple(builder.stages), tuple(builder.problems), tuple(directives), tuple(builder.global_args.items()))


def _directives(lines: list[str]) -> list[tuple[str, str]]:
    found = []
    for line in lines:
        match = _DIRECTIVE.fullmatch(line.strip())
        if match is None:
            break
        found.append((match.group(1).lower(), match.group(2)))
    return found


def _logical_lines(lines: list[str], start: int, builder: _Builder) -> Iterator[tuple[int, str, str, tuple[str, ...]]]:
    """(first line, keyword, arguments, heredoc bodies) for each instruction."""
    index = start
    while index < len(lines):
        if _skipped(lines[index]):
            index += 1
            continue
        first = index + 1
        parts = []
        text = lines[index].rstrip()
        while text.endswith(builder.escape):
            parts.append(text[: -len(builder.escape)])
            index += 1
            # Comment and empty lines inside a continuation are dropped, as BuildKit does.
            while index < len(lines) and _skipped(lines[index]):
                index += 1
            text = lines[index].rstrip() if index < len(lines) else ""
        parts.append(text)
        index += 1
        keyword, _, arguments = " ".join(part.strip() for part in parts).strip().partition(" ")
        keyword = keyword.upper()
        heredocs: list[str] = []
        if keyword in _HEREDOC_KEYWORDS and "<<" in arguments:
            for match in _HEREDOC.finditer(arguments):
                body, index = _heredoc(builder, lines, index, match.group(3), strip_tabs=match.group(1) == "-")
                if body is None:
                    # Probably a "<<" inside quotes: leave the following lines to be read as instructions.
                    builder.problem(first, f"heredoc {match.group(3)} is never closed")
                    break
                heredocs.append(body)
        yield first, keyword, arguments.strip(), tuple(heredocs)


def _skipped(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _terminators(builder: _Builder, lines: list[str], strip_tabs: bool) -> dict[str, list[int]]:
    """Line indexes by the terminator they would be, read once per mode: ``<<-EOF`` ignores leading tabs."""
    if strip_tabs not in builder.terminators:
        found: dict[str, list[int]] = {}
        for number, line in enumerate(lines):
            word = (line.lstrip("\t") if strip_tabs else line).rstrip()
            if _TERMINATOR.fullmatch(word):
                found.setdefault(word, []).append(number)
        builder.terminators[strip_tabs] = found
    return builder.terminators[strip_tabs]


def _heredoc(builder: _Builder, lines: list[str], index: int, terminator: str, strip_tabs: bool) -> tuple[str | None, int]:
    """The body of a heredoc starting at ``lines[index]`` and the index after its terminator, or (None, index)."""
    candidates = _terminators(builder, lines, strip_tabs).get(terminator, [])
    position = bisect.bisect_left(candidates, index)
    if position == len(candidates):
        return None, index
    end = candidates[position]
    body = [line.lstrip("\t") if strip_tabs else line for line in lines[index:end]]
    return "\n".join(body), end + 1


def _instruction(builder: _Builder, line: int, keyword: str, arguments: str, heredocs: tuple[str, ...]) -> None:
    if keyword not in KEYWORDS:
        builder.problem(line, f"not an instruction: {keyword[:40]!r}")
        return
    if keyword == "FROM":
        _from(builder, line, arguments)
        return
    if not builder.stages:
        if keyword == "ARG":
            for name, default in arg_pairs(arguments):
                builder.global_args[name] = substitute(default, builder.global_args) if default is not None else None
        else:
            builder.problem(line, f"{keyword} before the first FROM")
        return
    builder.current.append(Instruction(keyword, arguments, line, _exec_form(arguments), heredocs))


def _from(builder: _Builder, line: int, arguments: str) -> None:
    words = [word for word in arguments.split() if not word.startswith("--")]
    if not words:
        builder.problem(line, "FROM without an image")
        return
    builder.close_stage()
    base = words[0]
    name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
    image = substitute(base, builder.global_args)
    if _unset_variables(base, builder.global_args):
        builder.problem(line, f"FROM {base[:100]}: build argument {_unset_variables(base, builder.global_args)[0]} has no default")
    parent = builder.named.get(image.lower())
    if parent is not None:
        image = builder.stages[parent].image
    if name is not None:
        builder.named.setdefault(name, len(builder.stages))
    builder.stages.append(Stage(len(builder.stages), name, base, image, parent, line))


def _unset_variables(text: str, values: dict[str, str | None]) -> list[str]:
    """Variables in ``text`` that expand to nothing: no value and no ``:-default``."""
    return [
        name
        for match in _VARIABLE.finditer(text)
        if not values.get(name := match.group(1) or match.group(4)) and match.group(2) != "-"
    ]


def substitute(text: str, values: Mapping[str, str | None], *, keep_unset: bool = False) -> str:
    """Expand ``$NAME``, ``${NAME}``, ``${NAME:-default}`` and ``${NAME:+alternative}`` from build arguments.

    A variable without a value expands to nothing, as in BuildKit; with ``keep_unset`` it is
    left as written, for readers that must tell a path they cannot know from an empty one.
    """

    def expand(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        value = values.get(name)
        operator, word = match.group(2), match.group(3) or ""
        if operator == "-":
            return value if value else word
        if value:
            return word if operator == "+" else value
        return match.group(0) if keep_unset else ""

    return _VARIABLE.sub(expand, text)


def _exec_form(arguments: str) -> tuple[str, ...] | None:
    if not arguments.startswith("["):
        return None
    try:
        value = json.loads(arguments)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def arg_pairs(arguments: str) -> list[tuple[str, str | None]]:
    """``ARG NAME=default OTHER`` -> [("NAME", "default"), ("OTHER", None)]."""
    pairs: list[tuple[str, str | None]] = []
    for word in shell_words(arguments):
        name, equals, default = word.partition("=")
        if name:
            pairs.append((name, default if equals else None))
    return pairs


def env_pairs(arguments: str) -> list[tuple[str, str]]:
    """``ENV A=1 B="two words"`` or the legacy ``ENV NAME value with spaces``."""
    words = shell_words(arguments)
    if not words:
        return []
    if "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(name, value) for name, _, value in (word.partition("=") for word in words) if name]


def exposed_ports(stage: Stage) -> list[int]:
    ports = []
    for instruction in stage.all("EXPOSE"):
        for word in instruction.arguments.split():
            number = word.split("/", 1)[0]
            if number.isdigit() and 0 < int(number) < 65536:
                ports.append(int(number))
    return ports
