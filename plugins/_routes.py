"""Where a file declares HTTP routes and gRPC services, and which functions handle requests.

Not a plugin: the request-surface rules report the routes, and the hot-path rules ask
whether CPU-bound work sits inside a handler. Both read :func:`surface`, computed once
per parsed file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter

from readiness_plugins._code import Site, Source, argument_nodes, string_value

HTTP_METHODS = ("get", "post", "put", "delete", "patch", "head", "options")
_VERB_NAMES = {m: m.upper() for m in HTTP_METHODS} | {m.upper(): m.upper() for m in HTTP_METHODS} | {m.capitalize(): m.upper() for m in HTTP_METHODS}
_JVM_MAPPINGS = {"GetMapping": "GET", "PostMapping": "POST", "PutMapping": "PUT", "DeleteMapping": "DELETE", "PatchMapping": "PATCH", "RequestMapping": "ANY"}
_JAXRS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}
_CSHARP_ATTRIBUTES = {"HttpGet": "GET", "HttpPost": "POST", "HttpPut": "PUT", "HttpDelete": "DELETE", "HttpPatch": "PATCH", "HttpHead": "HEAD"}
_MINIMAL_API = {"MapGet": "GET", "MapPost": "POST", "MapPut": "PUT", "MapDelete": "DELETE", "MapPatch": "PATCH"}
_GO_HANDLER_TYPES = ("http.ResponseWriter", "*gin.Context", "echo.Context", "*fiber.Ctx")
_FUNCTION_TYPES = frozenset({
    "arrow_function", "function_expression", "function", "func_literal", "lambda_expression", "lambda_literal",
    "anonymous_function", "closure_expression", "do_block", "block", "annotated_lambda", "identifier", "member_expression",
    "selector_expression", "method_reference", "array_creation_expression", "simple_identifier",
})


@dataclass(frozen=True, slots=True)
class Route:
    node: tree_sitter.Node
    method: str
    path: str
    framework: str


@dataclass(frozen=True, slots=True)
class GrpcMethod:
    node: tree_sitter.Node
    service: str
    method: str


@dataclass(slots=True)
class Surface:
    routes: list[Route] = field(default_factory=list)
    grpc: list[GrpcMethod] = field(default_factory=list)
    handlers: list[tree_sitter.Node] = field(default_factory=list)
    handler_names: set[str] = field(default_factory=set)


_last: tuple[Source, Surface] | None = None
"""The last file's surface. The source is held, not its id: a freed object's id is reused."""


def surface(source: Source) -> Surface:
    """The file's routes, gRPC methods and request handlers; handlers are marked on ``source``."""
    global _last
    if _last is not None and _last[0] is source:
        return _last[1]
    source.sweep()
    found = Surface()
    for site in source.sites:
        if site.kind == "call":
            if site.last.lower() in _ROUTE_CALL_NAMES or site.last.startswith("Register"):
                _route_call(source, site, found)
        elif site.kind == "annotation":
            _route_annotation(source, site, found)
    _signature_handlers(source, found)
    _grpc_classes(source, found)
    if found.handler_names:
        found.handlers.extend(scope.node for scope in source.scopes if scope.kind == "function" and scope.name in found.handler_names)
    source.mark_handlers(found.handlers)
    _last = (source, found)
    return found


_DJANGO_ROUTES = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
_GO_ROUTES = frozenset({"HandleFunc", "Handle", *_VERB_NAMES})
_CALL_VERBS = frozenset(HTTP_METHODS + ("all",))
_RUBY_ROUTES = frozenset(HTTP_METHODS + ("resources", "resource"))
_ROUTE_CALL_NAMES = frozenset(
    name.rpartition(".")[2].lower()
    for name in (*_DJANGO_ROUTES, *_GO_ROUTES, *_CALL_VERBS, *_RUBY_ROUTES, *_MINIMAL_API, *(f"add_{m}" for m in HTTP_METHODS), "route", "new", "pathPrefix")
)
"""Lower-cased last names of every call :func:`_route_call` may take for a route (or ``Register*``)."""


def _literal_arguments(source: Source, site: Site) -> tuple[list[tree_sitter.Node], str | None]:
    """The call's arguments, and its first one when that is a plain string literal."""
    args = argument_nodes(site)
    return args, string_value(source, args[0]) if args else None


def _route_call(source: Source, site: Site, found: Surface) -> None:
    # Name tests come first: most calls are not routes, and reading arguments costs more.
    last = site.last
    language = source.language
    qualified = "." in site.name
    if language == "Python":
        if site.name in _DJANGO_ROUTES or (last.startswith("add_") and last[4:] in HTTP_METHODS):
            args, first = _literal_arguments(source, site)
            if site.name in _DJANGO_ROUTES and first is not None:
                _add(found, site.node, "ANY", "/" + first.lstrip("/"), "django", args[1:])
            elif last.startswith("add_") and last[4:] in HTTP_METHODS and first is not None:
                _add(found, site.node, last[4:].upper(), first, "aiohttp", args[1:], source)
        return
    if language in ("JavaScript", "TypeScript", "TSX", "PHP", "C++") and qualified and last.lower() in _CALL_VERBS:
        args, first = _literal_arguments(source, site)
        if first is not None and (first.startswith("/") or first == "*") and len(args) >= 2 and args[-1].type in _FUNCTION_TYPES:
            framework = {"PHP": "laravel" if site.name.split(".", 1)[0] == "Route" else "slim", "C++": "cpp-httplib"}.get(language, "express")
            _add(found, site.node, last.upper(), first, framework, args[1:], source)
        return
    if language == "Go" and last in _GO_ROUTES and qualified:
        args, first = _literal_arguments(source, site)
        if first is not None and len(args) >= 2:
            method = _VERB_NAMES.get(last, "ANY")
            pattern = re.match(r"^([A-Z]+)\s+(/.*)$", first)
            if pattern:
                method, first = pattern.group(1), pattern.group(2)
            if first.startswith("/"):
                _add(found, site.node, method, first, "net/http" if last.startswith("Handle") else "go-router", args[1:], source)
            return
    if language == "Go" and re.fullmatch(r"Register\w+Server", last):
        found.grpc.append(GrpcMethod(site.node, last[len("Register") : -len("Server")], "*"))
        return
    if language == "Rust" and last == "route":
        args, first = _literal_arguments(source, site)
        if first is not None and len(args) >= 2:
            for call in _calls_within(source, args[1]):
                if call.last in HTTP_METHODS:
                    _add(found, call.node, call.last.upper(), first, "axum", argument_nodes(call), source)
            return
    if language == "Rust" and last == "new" and qualified:
        owner = site.name.rsplit(".", 2)[-2]
        if owner.endswith("Server") and owner != "Server":
            found.grpc.append(GrpcMethod(site.node, owner[: -len("Server")], "*"))
            return
    if language == "C#" and last in _MINIMAL_API:
        args, first = _literal_arguments(source, site)
        if first is not None:
            _add(found, site.node, _MINIMAL_API[last], first, "aspnet", args[1:], source)
            return
    if language == "Kotlin" and not qualified and last in HTTP_METHODS:
        args, first = _literal_arguments(source, site)
        if first is not None and first.startswith("/"):
            parent = site.node.parent
            lambdas = [c for c in parent.named_children if c.type == "annotated_lambda"] if parent is not None and parent.type == "call_expression" else []
            if lambdas:
                _add(found, site.node, last.upper(), first, "ktor", lambdas, source)
            return
    if language == "Ruby" and not qualified and last in _RUBY_ROUTES:
        args, first = _literal_arguments(source, site)
        if first is not None:
            block = next((c for c in site.node.named_children if c.type in ("do_block", "block")), None)
            method = "RESOURCES" if last.startswith("resource") else last.upper()
            _add(found, site.node, method, first if first.startswith("/") else "/" + first, "sinatra" if block else "rails", [block] if block else [], source)
            return
        if last in ("resources", "resource") and args and args[0].type == "simple_symbol":
            _add(found, site.node, "RESOURCES", "/" + source.text(args[0]).lstrip(":"), "rails", [], source)
            return
    if language == "Scala" and last in ("path", "pathPrefix") and not qualified:
        args, first = _literal_arguments(source, site)
        if first is not None:
            _add(found, site.node, "ANY", "/" + first.lstrip("/"), "akka-http", [], source)


def _route_annotation(source: Source, site: Site, found: Surface) -> None:
    language = source.language
    name = site.name.rsplit(".", 1)[-1]
    node = site.node
    if language == "Python":
        call = next((c for c in node.named_children if c.type == "call"), None)
        if call is None or name not in HTTP_METHODS + ("route", "api_route", "websocket"):
            return
        args = [c for c in (call.child_by_field_name("arguments") or call).named_children]
        path = string_value(source, args[0]) if args else None
        if path is None or not path.startswith("/"):
            return
        method = name.upper() if name in HTTP_METHODS else _python_methods(source, args)
        definition = node.parent.child_by_field_name("definition") if node.parent is not None else None
        found.routes.append(Route(call, method, path, "flask" if name == "route" else "fastapi/flask"))
        if definition is not None:
            found.handlers.append(definition)
        return
    if language in ("Java", "Kotlin"):
        method_node = _annotated(node, ("method_declaration", "function_declaration"))
        if method_node is None:
            return
        if name in _JVM_MAPPINGS or name in _JAXRS:
            path = _first_string(source, node) or ""
            if name in _JAXRS:
                path = next((_first_string(source, s.node) or "" for s in _sibling_annotations(source, node) if s.name.endswith("Path")), "")
            prefix = _class_prefix(source, method_node, ("RequestMapping", "Path"))
            method = _JVM_MAPPINGS.get(name, name)
            if method == "ANY":
                verb = re.search(r"RequestMethod\.([A-Z]+)", source.text(node))
                method = verb.group(1) if verb else "ANY"
            found.routes.append(Route(node, method, _join(prefix, path), "spring" if name in _JVM_MAPPINGS else "jax-rs"))
            found.handlers.append(method_node)
        return
    if language == "C#" and name in _CSHARP_ATTRIBUTES:
        method_node = _annotated(node, ("method_declaration",))
        if method_node is not None:
            prefix = _class_prefix(source, method_node, ("Route",))
            found.routes.append(Route(node, _CSHARP_ATTRIBUTES[name], _join(prefix, _first_string(source, node) or ""), "aspnet"))
            found.handlers.append(method_node)
        return
    if language in ("TypeScript", "TSX") and name in {m.capitalize() for m in HTTP_METHODS}:
        method_node = node.next_named_sibling
        if method_node is not None and method_node.type == "method_definition":
            prefix = _class_prefix(source, method_node, ("Controller",))
            found.routes.append(Route(node, name.upper(), _join(prefix, _first_string(source, node) or ""), "nestjs"))
            found.handlers.append(method_node)
        return
    if language == "Rust" and name in HTTP_METHODS:
        function = node.next_named_sibling
        path = _first_string(source, node)
        if function is not None and function.type == "function_item" and path is not None:
            found.routes.append(Route(node, name.upper(), path, "actix/rocket"))
            found.handlers.append(function)
        return
    if language == "PHP" and name == "Route":
        method_node = _annotated(node, ("method_declaration",))
        if method_node is not None:
            verbs = re.findall(r"['\"](GET|POST|PUT|DELETE|PATCH)['\"]", source.text(node))
            found.routes.append(Route(node, ",".join(verbs) or "ANY", _first_string(source, node) or "", "symfony"))
            found.handlers.append(method_node)


def _signature_handlers(source: Source, found: Surface) -> None:
    """Functions whose parameters say they handle requests, wherever they are registered."""
    if source.language == "Go":
        for scope in source.scopes:
            params = scope.node.child_by_field_name("parameters") if scope.kind == "function" else None
            if params is not None and any(kind in source.text(params) for kind in _GO_HANDLER_TYPES):
                found.handlers.append(scope.node)
    elif source.language == "Ruby":
        for scope in source.scopes:
            superclass = scope.node.child_by_field_name("superclass") if scope.kind == "class" else None
            if superclass is not None and source.text(superclass).rstrip().endswith("Controller"):
                source.budget.spend()
                found.handlers.extend(s.node for s in source.scopes if s.kind == "function" and s.node.type == "method" and s.node.parent is not None and scope.start <= s.start < scope.end)


def _grpc_classes(source: Source, found: Surface) -> None:
    """Methods of classes that implement a generated gRPC service base (Java, Kotlin, C#, Python)."""
    if source.language not in ("Java", "Kotlin", "C#", "Python", "Scala"):
        return
    for scope in source.scopes:
        if scope.kind != "class":
            continue
        header_end = next((c.start_byte for c in scope.node.named_children if c.type in ("class_body", "declaration_list", "block", "template_body")), scope.end)
        header = source.data[scope.start : header_end].decode("utf-8", "replace")
        base = re.search(r"(\w+)Grpc(?:Kt)?\.(\w+)ImplBase|(\w+)\.\3Base\b|\((\w+)Servicer\)|(\w+)Servicer\b", header)
        if base is None:
            continue
        service = next(group for group in base.groups() if group)
        for method in source.scopes:
            source.budget.spend()
            if method.kind == "function" and method.parent is scope and not method.name.startswith("<") and method.name != scope.name and method.node.type != "constructor_declaration":
                if method.name[:1].isupper() or source.language in ("Java", "Kotlin", "Scala", "Python"):
                    if source.language == "Python" and method.name.startswith("_"):
                        continue
                    found.grpc.append(GrpcMethod(method.node, service, method.name))
                    found.handlers.append(method.node)


def _python_methods(source: Source, args: list[tree_sitter.Node]) -> str:
    for arg in args:
        if arg.type == "keyword_argument" and source.text(arg.child_by_field_name("name")) == "methods":
            verbs = re.findall(r"['\"]([A-Za-z]+)['\"]", source.text(arg))
            return ",".join(v.upper() for v in verbs) or "GET"
    return "GET"


def _add(found: Surface, node: tree_sitter.Node, method: str, path: str, framework: str, handlers: list[tree_sitter.Node], source: Source | None = None) -> None:
    found.routes.append(Route(node, method, path, framework))
    for handler in handlers:
        if handler is None:
            continue
        if handler.type in ("identifier", "simple_identifier") and source is not None:
            found.handler_names.add(source.text(handler))
        elif handler.type == "annotated_lambda":
            found.handlers.extend(c for c in handler.named_children if c.type == "lambda_literal")
        else:
            found.handlers.append(handler)


def _calls_within(source: Source, node: tree_sitter.Node) -> list[Site]:
    source.budget.spend()
    return [site for site in source.calls() if node.start_byte <= site.node.start_byte and site.node.end_byte <= node.end_byte]


def _annotated(annotation: tree_sitter.Node, kinds: tuple[str, ...]) -> tree_sitter.Node | None:
    """The declaration an annotation or attribute belongs to (through modifiers and attribute lists)."""
    node = annotation.parent
    for _ in range(3):
        if node is None:
            return None
        if node.type in kinds:
            return node
        node = node.parent
    return None


def _sibling_annotations(source: Source, annotation: tree_sitter.Node) -> list[Site]:
    parent = annotation.parent
    if parent is None:
        return []
    source.budget.spend()
    return [s for s in source.of_kind("annotation") if s.node.parent == parent]


def _class_prefix(source: Source, member: tree_sitter.Node, names: tuple[str, ...]) -> str:
    scope = source.scope_at(member)
    while scope is not None and scope.kind != "class":
        scope = scope.parent
    if scope is None:
        return ""
    source.budget.spend()
    for site in source.of_kind("annotation"):
        if scope.start <= site.node.start_byte < scope.end and site.name.rsplit(".", 1)[-1] in names:
            owner = _annotated(site.node, ("class_declaration",))
            if owner is not None and owner == scope.node or (site.node.end_byte <= member.start_byte and source.language in ("TypeScript", "TSX") and site.node.parent == scope.node.parent):
                return _first_string(source, site.node) or ""
    for site in source.of_kind("annotation"):
        if site.node.end_byte <= scope.start and site.node.parent is not None and site.name.rsplit(".", 1)[-1] in names:
            if _annotated(site.node, ("class_declaration",)) == scope.node or site.node.next_named_sibling == scope.node:
                return _first_string(source, site.node) or ""
    return ""


def _first_string(source: Source, node: tree_sitter.Node) -> str | None:
    """The first plain string literal inside an annotation's arguments, without descending far."""
    pending = list(reversed(node.named_children))
    seen = 0
    while pending and seen < 200:
        child = pending.pop()
        seen += 1
        value = string_value(source, child)
        if value is not None:
            return value
        pending.extend(reversed(child.named_children))
    return None


def _join(prefix: str, path: str) -> str:
    joined = "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
    return "/" + joined
