"""The effort plugins on repositories with known answers: ecosystem, team, boundary, size and fit."""

from __future__ import annotations

import json
import math

import jsonschema

from readiness.export import load_schema

from conftest import FIXTURES


def scan(run_cli, path, *extra: str) -> dict:
    code, out, err = run_cli("scan", path, "--format", "json", *extra)
    assert code == 0, err
    document = json.loads(out)
    jsonschema.validate(document, load_schema())
    return document


def contributions(document: dict, service: str, criterion: str) -> list[tuple[str | None, float, str]]:
    score = next(s["score"] for s in document["services"] if s["name"] == service)
    found = next(c for c in score["criteria"] if c["criterion"] == criterion)
    return [(c["rule"], c["base"], c["reason"]) for c in found["contributions"]]


def test_dependencies_of_every_ecosystem_map_to_rust_counterparts(run_cli):
    document = scan(run_cli, FIXTURES / "ecosystem")
    found = [
        (f["service"], f["rule"], f["path"], f["line"], f["facts"]["package"], f["facts"].get("maturity"))
        for f in document["findings"]
        if f["rule"].startswith("ECO")
    ]
    # Dev and test dependencies, the repository's own packages (libs/common, the @shop scope,
    # the github.com/shop organisation, com.shop), local paths, indirect Go requirements,
    # BOM imports, build plugins and commented-out dependencies are not there to port.
    assert found == [
        ("dotnet", "ECO102", "dotnet/Api.csproj", 3, "Microsoft.EntityFrameworkCore.SqlServer", "immature"),
        ("dotnet", "ECO101", "dotnet/Api.csproj", 4, "Dapper", "mature"),
        ("dotnet", "ECO103", "dotnet/Api.csproj", 5, "Acme.Billing.Sdk", None),
        ("go", "ECO101", "go/go.mod", 6, "github.com/gin-gonic/gin", "mature"),
        ("go", "ECO101", "go/go.mod", 7, "github.com/segmentio/kafka-go", "mature"),
        ("go", "ECO102", "go/go.mod", 13, "go.temporal.io/sdk", "immature"),
        ("java-maven", "ECO101", "java-maven/pom.xml", 21, "org.springframework.boot:spring-boot-starter-web", "mature"),
        ("java-maven", "ECO102", "java-maven/pom.xml", 26, "org.springframework.boot:spring-boot-starter-data-jpa", "immature"),
        ("kotlin-gradle", "ECO101", "kotlin-gradle/build.gradle.kts", 7, "io.ktor:ktor-server-core", "mature"),
        ("kotlin-gradle", "ECO101", "kotlin-gradle/build.gradle.kts", 9, "com.squareup.okhttp3:okhttp", "mature"),
        ("node", "ECO101", "node/package.json", 4, "express", "mature"),
        ("node", "ECO103", "node/package.json", 7, "left-pad", None),
        ("node", "ECO101", "node/package.json", 8, "@aws-sdk/client-s3", "mature"),
        ("php", "ECO102", "php/composer.json", 6, "laravel/framework", "none"),
        ("php", "ECO101", "php/composer.json", 7, "guzzlehttp/guzzle", "mature"),
        ("py-poetry", "ECO101", "py-poetry/pyproject.toml", 7, "fastapi", "mature"),
        ("py-poetry", "ECO101", "py-poetry/pyproject.toml", 8, "pandas", "usable"),
        ("py-req", "ECO101", "py-req/requirements.txt", 2, "flask", "mature"),
        ("py-req", "ECO102", "py-req/requirements.txt", 3, "scikit-learn", "immature"),
        ("py-req", "ECO103", "py-req/requirements.txt", 7, "acme_PDF.tools", None),
        ("ruby", "ECO102", "ruby/Gemfile", 3, "rails", "none"),
        ("ruby", "ECO102", "ruby/Gemfile", 4, "sidekiq", "immature"),
        ("ruby", "ECO101", "ruby/Gemfile", 10, "faraday", "mature"),
    ]
    # Gaps first, each maturity worth its points, the n-th of a rule counting 1/n.
    assert [(rule, base) for rule, base, _ in contributions(document, "ruby", "ecosystem")] == [("ECO102", 16.0), ("ECO102", 10.0), ("ECO101", 1.0)]
    ruby = next(s["score"] for s in document["services"] if s["name"] == "ruby")
    assert next(c["score"] for c in ruby["criteria"] if c["criterion"] == "ecosystem") == 16 + 10 / 2 + 1


def test_a_repository_mapping_file_extends_and_overrides_the_builtin_one(run_cli, make_repo):
    repo = make_repo({
        "api/Dockerfile": "FROM node:20\nCMD [\"node\", \"server.js\"]\n",
        "api/server.js": "require('express')().listen(8080);\n",
        "api/package.json": '{"name": "api", "dependencies": {"express": "4", "left-pad": "1", "@acme/pdf": "2"}}',
        "readiness.toml": '[plugins.rust_ecosystem]\nmapping = "rust-ecosystem.toml"\n',
        "rust-ecosystem.toml": (
            '[npm]\n"left-pad" = { rust = "std", maturity = "mature", what = "padding" }\n'
            'express = { rust = "axum", maturity = "usable" }\n'
            '"@acme/pdf" = { rust = "printpdf", maturity = "sometimes" }\n'
            "[cpan]\nfoo = {}\n"
        ),
    })
    document = scan(run_cli, repo)
    found = {f["facts"]["package"]: (f["rule"], f["facts"].get("maturity")) for f in document["findings"] if f["rule"].startswith("ECO")}
    assert found == {"express": ("ECO101", "usable"), "left-pad": ("ECO101", "mature"), "@acme/pdf": ("ECO103", None)}
    assert {(w["path"], w["message"]) for w in document["warnings"]} == {
        ("rust-ecosystem.toml", "rust_ecosystem: rust-ecosystem.toml: npm.@acme/pdf: needs maturity = one of mature, usable, immature, none"),
        ("rust-ecosystem.toml", "rust_ecosystem: rust-ecosystem.toml: [cpan] is not one of pypi, npm, go, maven, nuget, rubygems, packagist"),
    }


def test_hostile_manifests_give_no_dependencies_and_the_scan_goes_on(run_cli, make_repo):
    repo = make_repo({
        "java/Dockerfile": "FROM eclipse-temurin:21\nCOPY . /app\n",
        "java/App.java": "class App {}\n",
        "java/pom.xml": "<project>" + "<dependency><groupId>" * 50_000 + "<!--" + " " * 100_000,
        "go/Dockerfile": "FROM golang:1.22\nCOPY . /app\n",
        "go/main.go": "package main\n\nfunc main() {}\n",
        "go/go.mod": "module x\n" + " \t\n" * 100_000 + "require" + " " * 100_000,
        "ruby/Dockerfile": "FROM ruby:3.3\nCOPY . /app\n",
        "ruby/app.rb": "puts 1\n",
        "ruby/Gemfile": "group " + " " * 100_000 + "do\n" + "gem " * 50_000 + "\n" + "\n" * 100_000 + "  gem",
        "node/Dockerfile": "FROM node:20\nCOPY . /app\n",
        "node/index.js": "1\n",
        "node/package.json": '{"dependencies": ' * 1000,
    })
    document = scan(run_cli, repo)
    assert [f for f in document["findings"] if f["rule"].startswith("ECO")] == []
    assert document["errors"] == []


def test_rust_already_in_the_repository_lowers_the_teams_risk(run_cli, make_repo):
    repo = make_repo({
        "api/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        "api/app.py": "print('serving')\n",
        "tools/fastcsv/Cargo.toml": '[package]\nname = "fastcsv"\nversion = "0.1.0"\n\n[lib]\n',
        "tools/fastcsv/src/lib.rs": "pub fn parse() {}\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  rust:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test --workspace\n",
    })
    document = scan(run_cli, repo)
    assert contributions(document, "api", "team") == [
        ("TEAM102", 40.0, "written in Python: its team would learn Rust"),
        ("TEAM101", -10.0, "CI builds Rust (.github/workflows/ci.yml)"),
        ("TEAM101", -8.0, "a Rust crate at tools/fastcsv"),
    ]
    team = next(c for c in document["services"][0]["score"]["criteria"] if c["criterion"] == "team")
    assert [c["points"] for c in team["contributions"]] == [40.0, -10.0, -4.0]
    assert [(c["evidence"]["path"], c["evidence"]["line"]) for c in team["contributions"]] == [
        ("api", 0), (".github/workflows/ci.yml", 7), ("tools/fastcsv/Cargo.toml", 1)
    ]


COMPOSE = """\
services:
  orders:
    build: ./orders
    environment:
      DATABASE_URL: postgres://shop@db:5432/shop
      STOCK_ADDR: stock:9090
  stock:
    build: ./stock
    environment:
      DATABASE_URL: postgres://shop@db:5432/shop
  db:
    image: postgres:16
"""


def test_a_shared_database_couples_services_and_a_grpc_contract_frees_them(run_cli, make_repo):
    repo = make_repo({
        "docker-compose.yml": COMPOSE,
        "orders/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        "orders/app.py": "print('orders')\n",
        "stock/Dockerfile": "FROM golang:1.22\nCMD [\"/stock\"]\n",
        "stock/main.go": "package main\n\nfunc main() {}\n",
        "stock/api/stock.proto": 'syntax = "proto3";\nservice Stock { rpc Reserve(Item) returns (Item); }\nmessage Item { string sku = 1; }\n',
    })
    document = scan(run_cli, repo)
    assert [(rule, base, reason) for rule, base, reason in contributions(document, "orders", "boundary")] == [
        ("BND101", 25.0, "shares the db database with stock"),
    ]
    assert contributions(document, "stock", "boundary") == [
        ("BND101", 25.0, "shares the db database with orders"),
        ("BND102", -10.0, "a gRPC contract: defines its gRPC interface in stock/api/stock.proto"),
    ]


def test_size_and_fit_scale_with_the_code(run_cli, make_repo):
    body = "".join(f"def handler_{n}(request):\n    return {n}\n\n" for n in range(60))
    repo = make_repo({
        "ops-admin/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        "ops-admin/app.py": body,
    })
    document = scan(run_cli, repo)
    code = sum(t["code"] for t in document["services"][0]["languages"])
    assert code == 120 + 2  # the handlers, and the Dockerfile's two instructions
    size = contributions(document, "ops-admin", "size")
    assert ("SIZE101", round(10 * math.log2(1 + code / 1000), 2), "122 lines of code in 2 files") in size
    # With the code rules, each function's complexity adds up (sixty of complexity 1).
    complexity = sum(f["facts"]["complexity_total"] for f in document["findings"] if f["rule"] == "CPLX103")
    expected = [("SIZE102", round(6 * math.log2(1 + complexity / 100), 2), f"60 functions, complexity {complexity} in all")] if complexity else []
    assert [item for item in size if item[0] == "SIZE102"] == expected
    assert contributions(document, "ops-admin", "fit") == [
        ("FIT102", 30.0, "an internal tool: its name or path says 'admin'"),
        ("FIT101", round(25 * (1 - code / 300), 2), "a very small service: 122 lines of code"),
    ]
