"""Services from ``package.json``: servers, UIs, workers, CLIs and load tests written for Node.js.

A package is a UI when it depends on a browser framework (React, Vue, Angular, Svelte,
Next.js...) and on no HTTP server framework; a backend when it has a ``start`` script
or a server framework; a worker when its only runtime is a job queue; a load generator
when it is an Artillery or autocannon script; a tool when it only ships ``bin``
commands. Mobile and desktop apps (React Native, Electron) are not services. A package
without an entry point that another package of the repository depends on is a library.
Workspace roots are not services themselves: their members are.
"""

from __future__ import annotations

import re
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, line_of, mapping, normalized, parent, parse_or_warn, read_text
from readiness_plugins._manifests import Package, candidates
from readiness_plugins._safeload import load_json

UI_FRAMEWORKS = frozenset(
    {
        "react-dom", "vue", "@angular/core", "svelte", "@sveltejs/kit", "solid-js", "preact", "next", "nuxt", "gatsby",
        "@remix-run/react", "astro", "ember-source", "lit", "@builder.io/qwik", "react-scripts", "vite",
    }
)
SERVER_FRAMEWORKS = (
    "express", "fastify", "koa", "@nestjs/core", "@hapi/hapi", "hapi", "restify", "@adonisjs/core", "hono",
    "apollo-server", "@apollo/server", "socket.io", "ws", "micro", "polka", "feathers", "@feathersjs/feathers",
    "loopback", "@loopback/core", "sails", "moleculer", "@trpc/server", "elysia", "@grpc/grpc-js", "grpc",
)
"""HTTP and RPC server frameworks, HTTP first: the first one a package depends on is the evidence."""
JOB_QUEUES = frozenset(
    {
        "bull", "bullmq", "bee-queue", "agenda", "kue", "node-resque", "@temporalio/worker", "amqplib", "amqp-connection-manager",
        "kafkajs", "nats", "sqs-consumer", "@aws-sdk/client-sqs", "@google-cloud/pubsub", "@azure/service-bus",
    }
)
"""Job queues and broker clients: a package using one and no server framework is a worker."""
LOAD_TOOLS = frozenset({"artillery", "autocannon", "loadtest", "k6"})
NOT_SERVICES = frozenset(
    {
        "react-native", "expo", "electron", "@capacitor/core", "@ionic/react", "@ionic/angular", "nativescript",
        "aws-cdk-lib", "aws-cdk", "cdktf", "@pulumi/pulumi", "@docusaurus/core", "vitepress", "vuepress", "nextra",
        "@storybook/react", "storybook",
    }
)
"""Mobile and desktop apps, infrastructure-as-code programs, documentation sites and component
catalogues: none is a deployable service."""
WORKSPACE_FILES = ("pnpm-workspace.yaml", "lerna.json", "nx.json", "turbo.json", "rush.json")
_DELEGATING = re.compile(
    r"(?:^|&&|;)\s*(?:npx\s+|pnpm\s+exec\s+)?(?:turbo|nx|lerna|concurrently|npm-run-all|run-p|run-s|docker(?:-compose)?|make)(?:\s|$)"
    r"|\b(?:pnpm|yarn|npm)\s+(?:-r|--recursive|--filter|-w|--workspaces?|workspaces?)\b"
)
"""A start script that only runs other packages' scripts or containers is a monorepo's, not a service's."""


def _dependencies(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        if isinstance(document.get(key), dict):
            names.update(document[key])
    return names


def _package(path: str, text: str, document: dict[str, Any], workspace_root: bool) -> Package | None:
    directory = parent(path)
    name = str(document.get("name") or directory)
    dependencies = _dependencies(document)
    runtime = set(document["dependencies"]) if isinstance(document.get("dependencies"), dict) else set()
    scripts = mapping(document.get("scripts"))
    depends_on = frozenset(normalized(d) for d in dependencies)
    if workspace_root or document.get("workspaces") or dependencies & NOT_SERVICES:
        return None

    def found(role: str | None, pattern: str, detail: str) -> Package:
        return Package(directory, path, name, role, line_of(text, pattern) or 1, detail, depends_on)

    servers = [framework for framework in SERVER_FRAMEWORKS if framework in runtime]
    uis = sorted(dependencies & UI_FRAMEWORKS)
    if dependencies & LOAD_TOOLS and not servers:
        tool = sorted(dependencies & LOAD_TOOLS)[0]
        return found("load-generator", rf'"{re.escape(tool)}"', f"load-testing tool {tool}")
    if uis and not servers:
        return found("frontend", rf'"{re.escape(uis[0])}"', f"browser UI built with {uis[0]}")
    if servers:
        return found("backend", rf'"{re.escape(servers[0])}"', f"server framework {servers[0]}")
    if runtime & JOB_QUEUES:
        queue = sorted(runtime & JOB_QUEUES)[0]
        return found("worker", rf'"{re.escape(queue)}"', f"job queue {queue}")
    if isinstance(scripts.get("start"), str) and not _DELEGATING.search(scripts["start"]):
        return found("backend", r'"start"\s*:', f"start script: {scripts['start'][:80]}")
    if document.get("bin"):
        return found("tooling", r'"bin"\s*:', "command-line tool (bin)")
    return found(None, r'"name"\s*:', "")


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    for record in index.named(lambda n: n == "package.json"):
        text = read_text(repo, record.path, warnings)
        if text is None:
            continue
        document = parse_or_warn(load_json, text, record.path, warnings)
        if not isinstance(document, dict):
            continue
        prefix = "" if parent(record.path) == "." else parent(record.path) + "/"
        package = _package(record.path, text, document, any(index.exists(prefix + name) for name in WORKSPACE_FILES))
        if package is not None:
            packages.append(package)
    return [*candidates(packages, repo.info.name, "package.json"), *warnings]
