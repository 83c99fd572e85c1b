"""What readiness knows about language runtimes: which collect garbage, and how to recognise each.

Not a plugin: the runtime plugins share it. A runtime is recognised from the program a
container starts (``java``, ``gunicorn``), a function's runtime id (``java17``), a build
manifest (``pom.xml``) or, last, the service's main language.
"""

from __future__ import annotations

from dataclasses import dataclass

JVM = "JVM"
DOTNET = ".NET"
NODE = "Node.js"
CPYTHON = "CPython"
PYPY = "PyPy"
GO = "Go"
RUBY = "Ruby"
PHP = "PHP"
BEAM = "BEAM"
DENO = "Deno"
BUN = "Bun"
NATIVE = "native"


@dataclass(frozen=True, slots=True)
class Runtime:
    name: str
    garbage_collected: bool
    default_gc: str | None
    """The collector the runtime uses when nothing is configured."""
    slow_start: bool
    """Starts in seconds rather than milliseconds (class loading and JIT warm-up)."""


RUNTIMES = {
    runtime.name: runtime
    for runtime in (
        Runtime(JVM, True, "G1", True),
        Runtime(DOTNET, True, "generational", True),
        Runtime(NODE, True, "V8 generational", False),
        Runtime(CPYTHON, True, "refcount + cycles", False),
        Runtime(PYPY, True, "incremental generational", True),
        Runtime(GO, True, "concurrent mark-sweep", False),
        Runtime(RUBY, True, "generational mark-sweep", False),
        Runtime(PHP, True, "refcount + cycles", False),
        Runtime(BEAM, True, "per-process generational", False),
        Runtime(DENO, True, "V8 generational", False),
        Runtime(BUN, True, "JavaScriptCore", False),
        Runtime(NATIVE, False, None, False),
    )
}

LAUNCHERS = {
    **dict.fromkeys(("java", "catalina.sh", "jbang", "mvn", "mvnw", "gradle", "gradlew"), JVM),
    **dict.fromkeys(("node", "nodejs", "npm", "npx", "yarn", "pnpm", "ts-node", "tsx", "nodemon", "pm2", "pm2-runtime"), NODE),
    **dict.fromkeys(("python", "python3", "gunicorn", "uvicorn", "uwsgi", "hypercorn", "daphne", "celery", "flask", "django-admin", "waitress-serve", "granian", "fastapi"), CPYTHON),
    **dict.fromkeys(("pypy", "pypy3"), PYPY),
    "dotnet": DOTNET,
    **dict.fromkeys(("ruby", "bundle", "puma", "unicorn", "rails", "rackup", "sidekiq", "thin"), RUBY),
    **dict.fromkeys(("php", "php-fpm", "frankenphp"), PHP),
    **dict.fromkeys(("erl", "elixir", "mix", "iex"), BEAM),
    "deno": DENO,
    "bun": BUN,
}
"""Programs a container command starts, by file name, and the runtime they run on."""

LANGUAGES = {
    **dict.fromkeys(("Java", "Kotlin", "Scala", "Groovy", "Clojure"), JVM),
    **dict.fromkeys(("C#", "F#", "Visual Basic .NET"), DOTNET),
    **dict.fromkeys(("JavaScript", "TypeScript"), NODE),
    "Python": CPYTHON,
    "Go": GO,
    "Ruby": RUBY,
    "PHP": PHP,
    **dict.fromkeys(("Elixir", "Erlang"), BEAM),
    **dict.fromkeys(("Rust", "C", "C++", "Zig", "Swift"), NATIVE),
}

MANIFESTS = {
    **dict.fromkeys(("pom.xml", "build.gradle", "build.gradle.kts", "build.sbt"), JVM),
    "package.json": NODE,
    "go.mod": GO,
    **dict.fromkeys(("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "Pipfile"), CPYTHON),
    "Gemfile": RUBY,
    "composer.json": PHP,
    **dict.fromkeys(("mix.exs", "rebar.config"), BEAM),
    **dict.fromkeys(("Cargo.toml", "CMakeLists.txt", "meson.build"), NATIVE),
}


def manifest_runtime(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".csproj", ".fsproj", ".vbproj")):
        return DOTNET
    return MANIFESTS.get(name)


def function_runtime(runtime_id: str) -> str | None:
    """The runtime of a serverless function's runtime id (AWS Lambda's and Google Cloud Functions' spellings).

    ``provided`` (a custom runtime) is a compiled binary, most often Go or Rust: it is
    counted as native, which under-counts Go.
    """
    lowered = runtime_id.strip().lower()
    for prefix, runtime in (
        ("java", JVM),
        ("nodejs", NODE),
        ("python", CPYTHON),
        ("dotnet", DOTNET),
        ("ruby", RUBY),
        ("go", GO),
        ("php", PHP),
        ("provided", NATIVE),
    ):
        if lowered.startswith(prefix):
            return runtime
    return None


def launcher_runtime(program: str) -> str | None:
    """The runtime a program runs on, from its path (``/usr/bin/java``, ``python3.12``)."""
    name = program.rsplit("/", 1)[-1]
    if name in LAUNCHERS:
        return LAUNCHERS[name]
    if name.startswith("python3.") or name.startswith("python2."):
        return CPYTHON
    return None
