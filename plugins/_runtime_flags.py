"""Runtime settings in command lines, environment variables and runtime config files.

Not a plugin: the runtime plugins share it. Heap sizes, collector choices, pause goals,
worker counts and start-up aids are written the same way wherever they appear (a
Dockerfile ``ENV``, a compose ``command``, a Kubernetes ``env`` entry, an entry script),
so one extractor reads them all and says what each one sets as a named fact.

Every function here is pure, bounded (long inputs are cut, never backtracked over) and
returns an empty list for anything it does not recognise.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from readiness.model import Fact
from readiness_plugins._quantities import decimal_number, go_bytes, jvm_bytes, mebibytes, whole_number
from readiness_plugins._runtimes import CPYTHON, DOTNET, GO, JVM, NODE, RUBY

MAX_COMMAND = 8192
MAX_WORDS = 1000
MAX_LINES = 5000


class FlagKind(enum.StrEnum):
    HEAP = "heap"
    """How much memory the runtime may take: evidence for the cost criterion."""
    GC = "gc"
    """Which collector runs and how it is tuned: evidence of pause or memory pain (latency)."""
    WORKERS = "workers"
    """Processes and threads per container: each worker is a full copy of the runtime (cost)."""
    STARTUP = "startup"
    """Aids to start-up time (class-data sharing, checkpoints, ahead-of-time compilation)."""


@dataclass(frozen=True, slots=True)
class RuntimeFlag:
    fact: str
    """The fact it sets, e.g. ``heap_max_bytes``."""
    value: Fact
    kind: FlagKind
    runtime: str | None
    """The runtime that reads it, or None when several do (``WEB_CONCURRENCY``)."""
    text: str
    """The setting as written, e.g. ``-Xmx2g`` or ``GOGC=50``."""


_JVM_COLLECTORS = {
    "UseG1GC": "G1",
    "UseZGC": "ZGC",
    "UseShenandoahGC": "Shenandoah",
    "UseParallelGC": "Parallel",
    "UseParallelOldGC": "Parallel",
    "UseSerialGC": "Serial",
    "UseConcMarkSweepGC": "CMS",
    "UseEpsilonGC": "Epsilon",
}
_JVM_SIZES = {
    "MaxMetaspaceSize": ("metaspace_max_bytes", FlagKind.HEAP),
    "MaxDirectMemorySize": ("direct_memory_max_bytes", FlagKind.HEAP),
    "SoftMaxHeapSize": ("heap_soft_max_bytes", FlagKind.HEAP),
    "MaxRAM": ("jvm_max_ram_bytes", FlagKind.HEAP),
    "G1HeapRegionSize": ("g1_region_bytes", FlagKind.GC),
}
_JVM_NUMBERS = {
    "MaxRAMPercentage": ("heap_max_ram_percent", FlagKind.HEAP),
    "InitialRAMPercentage": ("heap_initial_ram_percent", FlagKind.HEAP),
    "MinRAMPercentage": ("heap_min_ram_percent", FlagKind.HEAP),
    "MaxGCPauseMillis": ("max_gc_pause_ms", FlagKind.GC),
    "GCTimeRatio": ("gc_time_ratio", FlagKind.GC),
    "ParallelGCThreads": ("gc_parallel_threads", FlagKind.GC),
    "ConcGCThreads": ("gc_concurrent_threads", FlagKind.GC),
    "InitiatingHeapOccupancyPercent": ("gc_initiating_occupancy_percent", FlagKind.GC),
    "TieredStopAtLevel": ("jit_tiered_stop_level", FlagKind.STARTUP),
}
_JVM_SWITCHES = {
    "ZGenerational": ("gc_generational", FlagKind.GC),
    "UseStringDeduplication": ("gc_string_deduplication", FlagKind.GC),
    "AlwaysPreTouch": ("heap_pretouch", FlagKind.HEAP),
    "AutoCreateSharedArchive": ("jvm_app_cds", FlagKind.STARTUP),
    "UseAppCDS": ("jvm_app_cds", FlagKind.STARTUP),
}
_JVM_PATHS = {
    "SharedArchiveFile": "jvm_app_cds",
    "ArchiveClassesAtExit": "jvm_app_cds",
    "CRaCCheckpointTo": "jvm_crac",
    "CRaCRestoreFrom": "jvm_crac",
}
_XX = re.compile(r"-XX:([+-]?)([A-Za-z][A-Za-z0-9]{0,60})(?:=(.{0,200}))?")
_NODE_SIZES = {
    "max-old-space-size": ("heap_max_bytes", FlagKind.HEAP),
    "max-semi-space-size": ("node_semi_space_bytes", FlagKind.GC),
}
_SPACED_NODE_OPTIONS = {"--max-old-space-size", "--max_old_space_size", "--max-semi-space-size"}
_NODE_SWITCHES = {"optimize-for-size": "node_optimize_for_size", "expose-gc": "node_expose_gc", "gc-global": "node_gc_global"}

_SERVERS = {"gunicorn", "uvicorn", "uwsgi", "hypercorn", "puma", "celery", "granian", "sidekiq"}
_SERVER_RUNTIME = {"puma": RUBY, "sidekiq": RUBY}
_SERVER_OPTIONS = {
    "--workers": "workers",
    "-w": "workers",
    "--processes": "workers",
    "-p": "workers",
    "--concurrency": "workers",
    "-c": "workers",
    "--threads": "threads",
    "-t": "threads",
    "--worker-class": "worker_class",
    "-k": "worker_class",
}
_SERVER_ACCEPTS = {
    "gunicorn": {"--workers", "-w", "--threads", "--worker-class", "-k"},
    "uvicorn": {"--workers"},
    "uwsgi": {"--workers", "--processes", "-p", "--threads"},
    "hypercorn": {"--workers", "-w", "--worker-class", "-k"},
    "puma": {"--workers", "-w", "--threads", "-t"},
    "celery": {"--concurrency", "-c"},
    "granian": {"--workers", "--threads"},
    "sidekiq": {"--concurrency", "-c"},
}
_THREADED_CONCURRENCY = {"sidekiq"}
"""Servers whose ``--concurrency`` counts threads in one process, not processes."""
_COMMAND_SEPARATORS = {"&&", "||", ";", "|", "&"}
_SHELLS = {"sh", "bash", "ash", "dash", "zsh"}
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,100})=(.*)", re.S)


def shell_words(text: str) -> list[str]:
    """Split like a POSIX shell would (quotes, backslashes), without expanding anything.

    Unbalanced quotes end at the end of the text instead of failing.
    """
    text = text[:MAX_COMMAND]
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote = ""
    index = 0
    while index < len(text) and len(words) < MAX_WORDS:
        char = text[index]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                current.append(char)
        elif quote == '"':
            if char == '"':
                quote = ""
            elif char == "\\" and index + 1 < len(text) and text[index + 1] in '"\\$`':
                index += 1
                current.append(text[index])
            else:
                current.append(char)
        elif char in " \t\r\n":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif char in "'\"":
            quote, in_word = char, True
        elif char == "\\" and index + 1 < len(text):
            index += 1
            if text[index] != "\n":
                current.append(text[index])
                in_word = True
        else:
            current.append(char)
            in_word = True
        index += 1
    if in_word and len(words) < MAX_WORDS:
        words.append("".join(current))
    return words


def flags_in_command(command: str | Sequence[str], depth: int = 0) -> list[RuntimeFlag]:
    """Runtime settings in a command line, given as text (shell form) or as argv (exec form).

    Looks inside ``sh -c '...'`` and honours ``NAME=value`` prefixes; server options
    (``--workers``) count only after the server that takes them.
    """
    words = shell_words(command) if isinstance(command, str) else [str(w)[:MAX_COMMAND] for w in command[:MAX_WORDS]]
    flags: list[RuntimeFlag] = []
    server: str | None = None
    at_command_start = True
    index = 0
    while index < len(words):
        word = words[index]
        if word in _SPACED_NODE_OPTIONS and index + 1 < len(words) and words[index + 1].isdigit():
            index += 1
            word = f"{word}={words[index]}"
        program = word.rsplit("/", 1)[-1]
        if word in _COMMAND_SEPARATORS or word.endswith(";"):
            server, at_command_start = None, True
        elif at_command_start and (assignment := _ASSIGNMENT.fullmatch(word)):
            flags.extend(flags_in_env(assignment.group(1), assignment.group(2)))
        elif program in _SHELLS and index + 2 < len(words) and words[index + 1] == "-c" and depth < 2:
            flags.extend(flags_in_command(words[index + 2], depth + 1))
            index += 2
        elif program in _SERVERS or (word == "-m" and index + 1 < len(words) and words[index + 1] in _SERVERS):
            server = words[index + 1] if word == "-m" else program
            index += 1 if word == "-m" else 0
            flags.append(RuntimeFlag("server", server, FlagKind.WORKERS, _SERVER_RUNTIME.get(server, CPYTHON), server))
        elif server is not None and (option := _server_option(server, words, index)):
            flags.append(option[0])
            index += option[1]
        else:
            flags.extend(_flags_in_word(word))
        if word not in ("exec", "env", "export") and not _ASSIGNMENT.fullmatch(word):
            at_command_start = word in _COMMAND_SEPARATORS or word.endswith(";")
        index += 1
    return flags


def _server_option(server: str, words: list[str], index: int) -> tuple[RuntimeFlag, int] | None:
    """A worker or thread option of ``server`` at ``words[index]``, and how many extra words it took."""
    word = words[index]
    name, value, extra = word, "", 0
    if word.startswith("--") and "=" in word:
        name, value = word.split("=", 1)
    elif word.startswith("-") and not word.startswith("--") and len(word) > 2:
        name, value = word[:2], word[2:]
    elif index + 1 < len(words):
        value, extra = words[index + 1], 1
    if name not in _SERVER_ACCEPTS[server]:
        return None
    fact = "threads" if server in _THREADED_CONCURRENCY else _SERVER_OPTIONS[name]
    runtime = _SERVER_RUNTIME.get(server, CPYTHON)
    if fact == "worker_class":
        return RuntimeFlag("worker_class", value[:200], FlagKind.WORKERS, runtime, f"{name} {value}"), extra
    if fact == "threads" and server == "puma" and ":" in value:
        value = value.rsplit(":", 1)[1]
    number = whole_number(value)
    if number is None:
        return None
    return RuntimeFlag(fact, number, FlagKind.WORKERS, runtime, f"{name} {value}"), extra


def _flags_in_word(word: str) -> list[RuntimeFlag]:
    """JVM and Node options, which mean the same wherever they appear."""
    if word.startswith("-Xmx") or word.startswith("-Xms"):
        size = jvm_bytes(word[4:])
        fact = "heap_max_bytes" if word[3] == "x" else "heap_initial_bytes"
        return [RuntimeFlag(fact, size, FlagKind.HEAP, JVM, word)] if size is not None else []
    if word.startswith("-Xshare:"):
        return [RuntimeFlag("jvm_cds", word[8:] != "off", FlagKind.STARTUP, JVM, word)]
    if word == "-Dspring.aot.enabled=true":
        return [RuntimeFlag("spring_aot", True, FlagKind.STARTUP, JVM, word)]
    if word.startswith("-XX:"):
        return _jvm_option(word)
    if word.startswith("--"):
        return _node_option(word)
    return []


def _jvm_option(word: str) -> list[RuntimeFlag]:
    match = _XX.fullmatch(word)
    if match is None:
        return []
    sign, name, value = match.groups()
    if sign == "+" and name in _JVM_COLLECTORS:
        return [RuntimeFlag("gc", _JVM_COLLECTORS[name], FlagKind.GC, JVM, word)]
    if sign and name in _JVM_SWITCHES:
        fact, kind = _JVM_SWITCHES[name]
        return [RuntimeFlag(fact, sign == "+", kind, JVM, word)]
    if value is None:
        return []
    if name in _JVM_SIZES and (size := jvm_bytes(value)) is not None:
        fact, kind = _JVM_SIZES[name]
        return [RuntimeFlag(fact, size, kind, JVM, word)]
    if name in _JVM_NUMBERS and (number := decimal_number(value)) is not None:
        fact, kind = _JVM_NUMBERS[name]
        return [RuntimeFlag(fact, int(number) if number == int(number) and "." not in value else number, kind, JVM, word)]
    if name in _JVM_PATHS and value:
        return [RuntimeFlag(_JVM_PATHS[name], True, FlagKind.STARTUP, JVM, word)]
    return []


def _node_option(word: str) -> list[RuntimeFlag]:
    name, _, value = word[2:].partition("=")
    name = name.replace("_", "-")
    if name in _NODE_SIZES and (size := mebibytes(value)) is not None:
        fact, kind = _NODE_SIZES[name]
        return [RuntimeFlag(fact, size, kind, NODE, word)]
    if name in _NODE_SWITCHES and not value:
        return [RuntimeFlag(_NODE_SWITCHES[name], True, FlagKind.GC, NODE, word)]
    return []


_DOTNET_SETTINGS = {
    "gcserver": ("dotnet_server_gc", FlagKind.GC, "bool"),
    "gcconcurrent": ("dotnet_concurrent_gc", FlagKind.GC, "bool"),
    "gcheaphardlimit": ("heap_max_bytes", FlagKind.HEAP, "hex"),
    "gcheaphardlimitpercent": ("heap_max_ram_percent", FlagKind.HEAP, "hex"),
    "gcheapcount": ("dotnet_gc_heaps", FlagKind.GC, "hex"),
    "gcgen0size": ("dotnet_gen0_bytes", FlagKind.GC, "hex"),
    "gcconservememory": ("dotnet_conserve_memory", FlagKind.GC, "int"),
    "tieredpgo": ("dotnet_tiered_pgo", FlagKind.STARTUP, "bool"),
    "tieredcompilation": ("dotnet_tiered_compilation", FlagKind.STARTUP, "bool"),
    "readytorun": ("dotnet_ready_to_run", FlagKind.STARTUP, "bool"),
}


def flags_in_env(name: str, value: object) -> list[RuntimeFlag]:
    """Runtime settings in one environment variable (``GOGC=50``, ``JAVA_TOOL_OPTIONS=-Xmx2g``)."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return []
    text = str(value).strip()[:MAX_COMMAND]
    written = f"{name}={text}"
    upper = name.upper()
    if upper == "GOGC":
        gogc: Fact | None = "off" if text.lower() == "off" else whole_number(text)
        return [RuntimeFlag("gogc", gogc, FlagKind.GC, GO, written)] if gogc is not None else []
    if upper == "GOMEMLIMIT":
        limit = go_bytes(text)
        return [RuntimeFlag("go_memory_limit_bytes", limit, FlagKind.HEAP, GO, written)] if limit is not None else []
    if upper == "GOMAXPROCS":
        procs = whole_number(text)
        return [RuntimeFlag("gomaxprocs", procs, FlagKind.WORKERS, GO, written)] if procs is not None else []
    if upper.startswith(("DOTNET_", "COMPLUS_")):
        return _dotnet_env(upper.split("_", 1)[1].lower(), text, written)
    if upper in ("WEB_CONCURRENCY", "UWSGI_PROCESSES", "UWSGI_WORKERS", "UWSGI_THREADS", "RAILS_MAX_THREADS"):
        number = whole_number(text)
        fact = "threads" if upper.endswith("THREADS") else "workers"
        runtime = {"UWSGI_PROCESSES": CPYTHON, "UWSGI_WORKERS": CPYTHON, "UWSGI_THREADS": CPYTHON, "RAILS_MAX_THREADS": RUBY}.get(upper)
        return [RuntimeFlag(fact, number, FlagKind.WORKERS, runtime, written)] if number is not None else []
    if upper == "GUNICORN_CMD_ARGS":
        # Past the program name nothing is read as an assignment, so this cannot recurse.
        return flags_in_command(["gunicorn", *shell_words(text)])
    if upper.startswith("RUBY_GC_"):
        setting = decimal_number(text)
        return [RuntimeFlag(name.lower(), setting if setting is not None else text[:100], FlagKind.GC, RUBY, written)]
    if upper == "MALLOC_ARENA_MAX":
        arenas = whole_number(text)
        return [RuntimeFlag("malloc_arena_max", arenas, FlagKind.HEAP, None, written)] if arenas is not None else []
    # JAVA_TOOL_OPTIONS, JAVA_OPTS, NODE_OPTIONS and their many cousins: options, no program.
    return [flag for word in shell_words(text) for flag in _flags_in_word(word)] if "-" in text else []


def _dotnet_env(setting: str, text: str, written: str) -> list[RuntimeFlag]:
    known = _DOTNET_SETTINGS.get(setting)
    if known is None:
        return []
    fact, kind, parse = known
    value: Fact | None
    if parse == "bool":
        value = {"1": True, "0": False, "true": True, "false": False}.get(text.lower())
    elif parse == "hex":
        # The runtime reads these variables as hexadecimal, with or without 0x.
        digits = text.lower().removeprefix("0x")
        value = int(digits, 16) if digits and len(digits) <= 16 and all(c in "0123456789abcdef" for c in digits) else None
    else:
        value = whole_number(text)
    return [RuntimeFlag(fact, value, kind, DOTNET, written)] if value is not None else []


_DOTNET_PROPERTIES = {
    "System.GC.Server": ("dotnet_server_gc", FlagKind.GC),
    "System.GC.Concurrent": ("dotnet_concurrent_gc", FlagKind.GC),
    "System.GC.HeapHardLimit": ("heap_max_bytes", FlagKind.HEAP),
    "System.GC.HeapHardLimitPercent": ("heap_max_ram_percent", FlagKind.HEAP),
    "System.GC.HeapCount": ("dotnet_gc_heaps", FlagKind.GC),
    "System.GC.ConserveMemory": ("dotnet_conserve_memory", FlagKind.GC),
    "System.GC.RetainVM": ("dotnet_retain_vm", FlagKind.GC),
    "System.Runtime.TieredPGO": ("dotnet_tiered_pgo", FlagKind.STARTUP),
    "System.Runtime.TieredCompilation": ("dotnet_tiered_compilation", FlagKind.STARTUP),
}


def flags_in_runtimeconfig(document: object) -> list[RuntimeFlag]:
    """``configProperties`` of a ``*.runtimeconfig.json`` or ``runtimeconfig.template.json``."""
    if not isinstance(document, dict):
        return []
    options = document.get("runtimeOptions", document)
    properties = options.get("configProperties") if isinstance(options, dict) else None
    if not isinstance(properties, dict):
        return []
    flags = []
    for key, (fact, kind) in _DOTNET_PROPERTIES.items():
        value = properties.get(key)
        if isinstance(value, bool) or (isinstance(value, int) and value >= 0):
            flags.append(RuntimeFlag(fact, value, kind, DOTNET, f'"{key}": {str(value).lower()}'))
    return flags


_MSBUILD_PROPERTY = re.compile(r"<(ServerGarbageCollection|ConcurrentGarbageCollection|PublishAot|PublishReadyToRun|TieredPGO)>\s*(true|false)\s*</", re.I)
_MSBUILD_FACTS = {
    "servergarbagecollection": ("dotnet_server_gc", FlagKind.GC),
    "concurrentgarbagecollection": ("dotnet_concurrent_gc", FlagKind.GC),
    "publishaot": ("dotnet_native_aot", FlagKind.STARTUP),
    "publishreadytorun": ("dotnet_ready_to_run", FlagKind.STARTUP),
    "tieredpgo": ("dotnet_tiered_pgo", FlagKind.STARTUP),
}


def flags_in_msbuild(text: str) -> list[tuple[int, RuntimeFlag]]:
    """GC and start-up properties of a ``.csproj``/``.fsproj``/``Directory.Build.props``, with their lines."""
    found = []
    for number, line in _numbered_lines(text):
        for match in _MSBUILD_PROPERTY.finditer(line):
            fact, kind = _MSBUILD_FACTS[match.group(1).lower()]
            name, value = match.group(1), match.group(2).lower()
            found.append((number, RuntimeFlag(fact, value == "true", kind, DOTNET, f"<{name}>{value}</{name}>")))
    return found


_PY_SETTING = re.compile(r"(workers|threads|worker_class|processes)\s*=\s*(.{1,200})")
_RUBY_SETTING = re.compile(r"(workers|worker_processes|threads)\b[\s(]*(.{0,200})")
_DIGITS = re.compile(r"[0-9]{1,6}")


def flags_in_server_config(name: str, text: str) -> list[tuple[int, RuntimeFlag]]:
    """Workers and threads in ``gunicorn.conf.py``, ``uwsgi.ini``, ``config/puma.rb`` or ``unicorn.rb``."""
    base = name.rsplit("/", 1)[-1]
    server = "puma" if base == "puma.rb" else "unicorn" if base == "unicorn.rb" else "uwsgi" if base.startswith("uwsgi") else "gunicorn"
    runtime = RUBY if server in ("puma", "unicorn") else CPYTHON
    found = [(1, RuntimeFlag("server", server, FlagKind.WORKERS, runtime, server))]
    for number, line in _numbered_lines(text):
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            continue
        if runtime is RUBY:
            match = _RUBY_SETTING.match(stripped)
            digits = _DIGITS.findall(match.group(2)) if match else []
            if match and digits:
                fact = "threads" if match.group(1) == "threads" else "workers"
                found.append((number, RuntimeFlag(fact, int(digits[-1]), FlagKind.WORKERS, runtime, stripped[:200])))
            continue
        match = _PY_SETTING.match(stripped)
        if match is None:
            continue
        key, value = match.group(1), match.group(2).strip().strip("\"'")
        if key == "worker_class":
            found.append((number, RuntimeFlag("worker_class", value[:200], FlagKind.WORKERS, runtime, stripped[:200])))
        elif (count := whole_number(value)) is not None:
            fact = "threads" if key == "threads" else "workers"
            found.append((number, RuntimeFlag(fact, count, FlagKind.WORKERS, runtime, stripped[:200])))
    return found if len(found) > 1 else []


def flags_in_script(text: str, procfile: bool = False) -> list[tuple[int, RuntimeFlag]]:
    """Settings in a shell entry script, a ``jvm.config``/``jvm.options`` file or a Procfile, line by line.

    Comment lines are skipped; ``export NAME=value`` and ``NAME=value`` lines are read
    as environment variables; a Procfile line is ``type: command``.
    """
    found: list[tuple[int, RuntimeFlag]] = []
    for number, line in _numbered_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if procfile:
            stripped = stripped.partition(":")[2]
        found.extend((number, flag) for flag in flags_in_command(stripped))
    return found


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines()[:MAX_LINES], 1):
        yield number, line[:MAX_COMMAND]


def facts_of(flags: Iterable[RuntimeFlag]) -> dict[str, Fact]:
    """The facts a set of flags sets; a later flag wins, as a later option does on a command line."""
    return {flag.fact: flag.value for flag in flags}
