"""A service's primary language: the one its code is written in, not its build glue.

Linguist counts Dockerfiles, Makefiles, CMake and shell scripts as programming
languages, and in a small service they can outweigh the code. They, and templates whose
code is in a host language (``HTML+Razor``, ``HTML+ERB``), are passed over when the
service has code in another language; a service made only of them keeps the largest.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.model import LanguageTotals

BUILD_AND_GLUE = frozenset(
    {
        "Dockerfile", "Makefile", "CMake", "Shell", "PowerShell", "Batchfile", "Starlark", "HCL", "Nix", "Jsonnet",
        "Meson", "Ninja", "Just", "Procfile", "Gradle", "Maven POM", "Nginx", "SQL", "PLpgSQL", "TSQL", "PLSQL",
        "HTML", "CSS", "SCSS", "Sass", "Less", "HTML+Razor", "HTML+ERB", "Jinja", "Handlebars", "Mustache",
        "Twig", "EJS", "Pug",
    }
)


@hookimpl
def readiness_primary_language(languages: tuple[LanguageTotals, ...]) -> str | None:
    code = [totals for totals in languages if totals.language not in BUILD_AND_GLUE]
    return code[0].language if code else None
