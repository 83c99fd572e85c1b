"""The request-handling surface: HTTP routes and gRPC service methods, with method and path.

Routes come from framework registrations the parser can see: decorators (Flask,
FastAPI), annotations and attributes (Spring, JAX-RS, ASP.NET, NestJS, actix, Symfony),
and router calls with a literal path and a handler (Express, Go's mux and routers, axum,
Ktor, Laravel, Sinatra and Rails routes). ``cache.get("/x")`` is not a route: a route
call needs a path literal and a handler argument.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import analyzer, finding, rule, source_of
from readiness_plugins._routes import surface

ROUTE = rule(
    "API101", "http-route", Criterion.SIZE,
    "Each HTTP endpoint a service declares, with its method, path and framework as facts.",
    "Endpoints are the contract a rewrite must reproduce one by one; their number sizes the work, and a clear HTTP surface is what lets "
    "a Rust service replace the old one behind the same routes (Axum, Actix Web).",
    "@app.post(\"/v1/orders\")\ndef submit_order(): ...\n\nrouter.get('/stock/:sku', handler)",
)
GRPC = rule(
    "API102", "grpc-service", Criterion.SIZE,
    "Each gRPC method a service implements (a method of a generated `*ImplBase`, `*Servicer` or `*Base`) or each gRPC service it registers (`RegisterXServer`, `XServer::new`).",
    "gRPC contracts are generated from protobuf, so a Rust rewrite (tonic) can serve exactly the same API; each method is a unit of work to port.",
    "public void reserveStock(ReserveStockRequest request, StreamObserver<ReserveStockResponse> out) { ... }",
)

_MARKERS = [b"get", b"post", b"put", b"delete", b"patch", b"route", b"Route", b"Get", b"Post", b"GET", b"POST", b"Mapping", b"Http", b"Map", b"Handle", b"Grpc", b"Servicer", b"Server", b"Base", b"resources", b"path"]


@hookimpl
def readiness_rules() -> list[Rule]:
    return [ROUTE, GRPC]


@hookimpl
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    return {"*": _MARKERS}


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    found = surface(source)
    made = [
        finding(ROUTE, source, route.node, f"{route.method} {route.path} ({route.framework})", facts={"method": route.method, "path": route.path, "framework": route.framework})
        for route in found.routes
    ]
    made += [
        finding(GRPC, source, method.node, f"gRPC {method.service}.{method.method}", facts={"service": method.service, "method": method.method})
        for method in found.grpc
    ]
    return made
