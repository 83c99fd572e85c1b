"""Container base images: which family an image belongs to, how big it is, what it runs.

Not a plugin: the runtime plugins share it. Sizes are classes, not measurements: the
approximate uncompressed size of the official linux/amd64 image of each family, in
four bands: ``minimal`` (under 30 MB: scratch, distroless static, Alpine), ``small``
(under 150 MB: slim and Alpine language images, distroless with a runtime), ``medium``
(under 400 MB: JREs, ``-slim`` Node, .NET runtimes) and ``heavy`` (400 MB and up: full
JDKs, full Node/Python/Ruby images, compilers and SDKs). An image readiness does not
know (a private registry's own base) is ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness_plugins._runtimes import BEAM, BUN, CPYTHON, DENO, DOTNET, GO, JVM, NATIVE, NODE, PHP, PYPY, RUBY

@dataclass(frozen=True, slots=True)
class BaseImage:
    reference: str
    """As written (after build arguments), e.g. ``eclipse-temurin:17-jdk``."""
    repository: str
    """Without registry prefix for Docker Hub, tag or digest: ``eclipse-temurin``, ``gcr.io/distroless/static``."""
    tag: str
    family: str
    """E.g. ``jdk``, ``jre``, ``node-full``, ``python-slim``, ``distroless-static``, ``scratch``, ``unknown``."""
    size_class: str
    """``minimal``, ``small``, ``medium``, ``heavy`` or ``unknown``."""
    runtime: str | None
    toolchain: bool = False
    """A compiler or SDK image: what it builds usually runs elsewhere."""


_JVM_NAMES = ("eclipse-temurin", "openjdk", "adoptopenjdk", "amazoncorretto", "zulu-openjdk", "ibm-semeru-runtimes", "sapmachine", "ibmjava", "microsoft-openjdk")
_DISTROLESS = {
    "static": ("distroless-static", "minimal", NATIVE),
    "base": ("distroless-base", "minimal", NATIVE),
    "base-nossl": ("distroless-base", "minimal", NATIVE),
    "cc": ("distroless-cc", "minimal", NATIVE),
    "glibc-dynamic": ("distroless-cc", "minimal", NATIVE),
    "java": ("distroless-java", "medium", JVM),
    "jre": ("distroless-java", "medium", JVM),
    "nodejs": ("distroless-node", "small", NODE),
    "node": ("distroless-node", "small", NODE),
    "python": ("distroless-python", "small", CPYTHON),
    "python3": ("distroless-python", "small", CPYTHON),
}
_DOTNET = {
    "sdk": ("dotnet-sdk", "heavy", True),
    "aspnet": ("dotnet-aspnet", "medium", False),
    "runtime": ("dotnet-runtime", "medium", False),
    "runtime-deps": ("dotnet-runtime-deps", "small", False),
}
_TOOLCHAINS = {
    "golang": ("go-toolchain", GO),
    "rust": ("rust-toolchain", NATIVE),
    "gcc": ("gcc-toolchain", NATIVE),
    "buildpack-deps": ("build-toolchain", NATIVE),
    "maven": ("jvm-build", JVM),
    "gradle": ("jvm-build", JVM),
    "sbt": ("jvm-build", JVM),
}
_LANGUAGE_IMAGES = {
    # name: (family prefix, runtime, size of full, slim, alpine)
    "node": ("node", NODE, "heavy", "medium", "small"),
    "python": ("python", CPYTHON, "heavy", "small", "small"),
    "pypy": ("pypy", PYPY, "heavy", "medium", "medium"),
    "ruby": ("ruby", RUBY, "heavy", "medium", "small"),
    "php": ("php", PHP, "heavy", "medium", "small"),
    "elixir": ("elixir", BEAM, "heavy", "medium", "medium"),
    "erlang": ("erlang", BEAM, "heavy", "medium", "medium"),
    "jruby": ("jruby", JVM, "heavy", "heavy", "medium"),
    "bun": ("bun", BUN, "medium", "medium", "small"),
    "deno": ("deno", DENO, "medium", "medium", "small"),
}
_OPERATING_SYSTEMS = {
    "alpine": ("alpine", "minimal"),
    "busybox": ("busybox", "minimal"),
    "ubuntu": ("ubuntu", "small"),
    "debian": ("debian", "small"),
    "ubi-minimal": ("ubi-minimal", "small"),
    "ubi8-minimal": ("ubi-minimal", "small"),
    "ubi9-minimal": ("ubi-minimal", "small"),
    "ubi-micro": ("ubi-minimal", "minimal"),
    "ubi8": ("ubi", "medium"),
    "ubi9": ("ubi", "medium"),
    "centos": ("centos", "medium"),
    "rockylinux": ("rockylinux", "medium"),
    "almalinux": ("almalinux", "medium"),
    "fedora": ("fedora", "medium"),
    "amazonlinux": ("amazonlinux", "medium"),
}
_WEB_SERVERS = {"nginx": "medium", "httpd": "medium", "caddy": "small", "traefik": "medium", "envoy": "medium"}
"""Native servers: a service on one of these serves files or proxies; no collector runs."""


def split_reference(reference: str) -> tuple[str, str]:
    """(repository, tag) of an image reference, Docker Hub prefixes dropped: ``docker.io/library/node:20`` -> (``node``, ``20``)."""
    name = reference.strip().split("@", 1)[0].lower()
    tag = ""
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        name = name.removeprefix(prefix)
    if "/library/" in name:
        name = name.split("/library/", 1)[1]
    return name.removeprefix("library/"), tag or "latest"


def classify_image(reference: str) -> BaseImage:
    repository, tag = split_reference(reference)
    family, size, runtime, toolchain = _classify(repository, repository.rsplit("/", 1)[-1], tag)
    return BaseImage(reference, repository, tag, family, size, runtime, toolchain)


_Class = tuple[str, str, str | None, bool]
"""(family, size class, runtime, toolchain)"""


def _classify(repository: str, name: str, tag: str) -> _Class:
    if repository == "scratch":
        return "scratch", "minimal", NATIVE, False
    if "distroless" in repository or repository.startswith("cgr.dev/chainguard/"):
        return _distroless(name)
    if "graalvm" in repository or "mandrel" in repository:
        native = "native-image" in repository or "mandrel" in repository
        return ("graalvm-native-image" if native else "jdk"), "heavy", JVM, native
    if repository.startswith("mcr.microsoft.com/dotnet/") and name in _DOTNET:
        family, size, toolchain = _DOTNET[name]
        if not toolchain and ("alpine" in tag or "chiseled" in tag):
            size = "small"
        return family, size, DOTNET, toolchain
    if name in _TOOLCHAINS:
        family, runtime = _TOOLCHAINS[name]
        return family, "medium" if "alpine" in tag else "heavy", runtime, True
    if name in _JVM_NAMES or "openjdk" in name or "openjre" in name or name.startswith("liberica"):
        return _jvm(name, tag)
    if name in _LANGUAGE_IMAGES:
        prefix, runtime, full, slim, alpine = _LANGUAGE_IMAGES[name]
        if "alpine" in tag:
            return f"{prefix}-alpine", alpine, runtime, False
        if "slim" in tag:
            return f"{prefix}-slim", slim, runtime, False
        return f"{prefix}-full", full, runtime, False
    if name in _WEB_SERVERS:
        return (f"{name}-alpine", "small", NATIVE, False) if "alpine" in tag else (name, _WEB_SERVERS[name], NATIVE, False)
    if name in _OPERATING_SYSTEMS:
        family, size = _OPERATING_SYSTEMS[name]
        if "alpine" in tag and size != "minimal":
            return f"{family}-alpine", "small", None, False
        if "slim" in tag:
            return f"{family}-slim", size, None, False
        return family, size, None, False
    return "unknown", "unknown", None, False


def _distroless(name: str) -> _Class:
    if name == "jdk":
        return "jdk", "heavy", JVM, False
    # "java17-debian12" is the java image for JDK 17 on Debian 12.
    known = _DISTROLESS.get(name) or _DISTROLESS.get(name.split("-", 1)[0].rstrip("0123456789"))
    if known is None:
        return "distroless-base", "minimal", NATIVE, False
    family, size, runtime = known
    return family, size, runtime, False


def _jvm(name: str, tag: str) -> _Class:
    runtime_only = "jre" in tag or "jre" in name or name.endswith("-runtime") or "runtime" in tag
    alpine = "alpine" in tag or "alpine" in name
    family = ("jre" if runtime_only else "jdk") + ("-alpine" if alpine else "")
    return family, "medium" if runtime_only or alpine else "heavy", JVM, False
