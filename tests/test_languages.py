"""Language and kind of files, as GitHub Linguist decides them, with .gitattributes overrides."""

from __future__ import annotations

import json
import os
import re
import threading
from collections import defaultdict
from pathlib import Path

import pytest

from readiness.model import FileClass, FileKind
from readiness_plugins import languages
from readiness_plugins.languages import classify, detect_language, interpreter, readiness_classify_file

SOURCE, TEST, VENDORED = FileKind.SOURCE, FileKind.TEST, FileKind.VENDORED
GENERATED, DOCUMENTATION, DATA = FileKind.GENERATED, FileKind.DOCUMENTATION, FileKind.DATA

NO_ROOT = Path("/nonexistent/readiness-test-root")
"""A root without .gitattributes files: only the built-in rules apply."""

LANGUAGE_CASES = [
    # File names, before anything else.
    ("Makefile", b"", "Makefile"),
    ("GNUmakefile", b"", "Makefile"),
    ("Dockerfile", b"", "Dockerfile"),
    ("Containerfile", b"", "Dockerfile"),
    ("deploy/Dockerfile.prod", b"", "Dockerfile"),
    ("deploy/api.dockerfile", b"", "Dockerfile"),
    ("ci/Jenkinsfile", b"", "Groovy"),
    ("Gemfile", b"", "Ruby"),
    ("Rakefile", b"", "Ruby"),
    ("BUILD", b"", "Starlark"),
    ("BUILD.bazel", b"", "Starlark"),
    ("WORKSPACE", b"", "Starlark"),
    ("CMakeLists.txt", b"", "CMake"),
    ("go.mod", b"", "Go Module"),
    ("go.sum", b"", "Go Checksums"),
    ("Cargo.lock", b"", "TOML"),
    ("package-lock.json", b"", "JSON"),
    ("tsconfig.json", b"", "JSON with Comments"),
    (".gitignore", b"", "Ignore List"),
    (".gitattributes", b"", "Git Attributes"),
    ("requirements.txt", b"", "Pip Requirements"),
    ("pom.xml", b"", "Maven POM"),
    # A file name wins over a misleading shebang.
    ("Makefile", b"#!/usr/bin/env python3\n", "Makefile"),
    # Shebangs, for scripts without an extension.
    ("bin/deploy", b"#!/usr/bin/env bash\nset -e\n", "Shell"),
    ("bin/tool", b"#!/usr/bin/python3\n", "Python"),
    ("bin/tool", b"#!/usr/bin/env -S python3.11 -u\n", "Python"),
    ("bin/tool", b"#!/usr/bin/env FOO=1 python2.7\n", "Python"),
    ("bin/serve", b"#!/usr/bin/env node\n", "JavaScript"),
    ("bin/task", b"#!/usr/bin/ruby -w\n", "Ruby"),
    ("bin/report", b"#!/usr/bin/perl -w\n", "Perl"),
    ("bin/hook", b"#!/usr/bin/php\n", "PHP"),
    ("bin/setup", b"#!/bin/zsh\n", "Shell"),
    ("bin/setup", b"#!/bin/dash\n", "Shell"),
    ("bin/setup", b"#!/bin/sh\n", "Shell"),
    ("bin/polyglot", b'#!/bin/sh\n# the next line restarts with tclsh \\\nexec tclsh "$0" "$@"\n', "Tcl"),
    ("bin/empty", b"#!/usr/bin/env\n", None),
    # Extensions, case-insensitive, longest first.
    ("app/main.py", b"", "Python"),
    ("App.JAVA", b"", "Java"),
    ("web/App.tsx", b"", "TSX"),
    ("cmd/main.go", b"", "Go"),
    ("src/lib.rs", b"fn main() {}\n", "Rust"),
    ("Main.kt", b"", "Kotlin"),
    ("build.gradle", b"", "Gradle"),
    ("settings.gradle.kts", b"", "Gradle Kotlin DSL"),
    ("api.proto", b"", "Protocol Buffer"),
    ("main.tf", b"", "HCL"),
    ("config.yml", b"", "YAML"),
    ("notes.md", b"", "Markdown"),
    ("Program.cs", b"", "C#"),
    ("x.unknownextension", b"", None),
    ("README", b"hello\n", None),
    # The XML strategy, for files nothing else recognises.
    ("layout", b'<?xml version="1.0"?>\n<a/>\n', "XML"),
    # Modelines, Linguist's first strategy: they beat the extension.
    ("notes.txt", b"# vim: set ft=python:\nx = 1\n", "Python"),
    ("script", b"# -*- mode: ruby -*-\nputs 1\n", "Ruby"),
    ("lib.py", b"# -*- coding: utf-8 -*-\nx = 1\n", "Python"),
    # Heuristics for shared extensions.
    ("x.h", b"#include <vector>\nint f();\n", "C++"),
    ("x.h", b"namespace acme {\nint f();\n}\n", "C++"),
    ("x.h", b"class Buffer {\n public:\n  int size;\n};\n", "C++"),
    ("x.h", b"template <typename T> T max(T a, T b);\n", "C++"),
    ("x.h", b"void f() { std::string s; }\n", "C++"),
    ("x.h", b"#import <Foundation/Foundation.h>\n@interface Foo : NSObject\n@end\n", "Objective-C"),
    ("x.h", b"#include <stdio.h>\nint f(void);\n", "C"),
    ("x.m", b'#import "Foo.h"\n@implementation Foo\n@end\n', "Objective-C"),
    ("x.m", b"% compute the mean\nx = mean(y);\n", "MATLAB"),
    ("x.pl", b"use strict;\nmy $x = 1;\n", "Perl"),
    ("x.pl", b"ancestor(X, Y) :- parent(X, Y).\n", "Prolog"),
    ("x.ts", b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="de">\n', "XML"),
    ("x.ts", b"export const answer = 42;\n", "TypeScript"),
    ("x.inc", b"<?php\necho 'hi';\n", "PHP"),
    ("x.inc", b"just some text\n", None),
    ("x.fs", b"let square x = x * x\n", "F#"),
    ("x.fs", b"#version 330\nuniform vec4 color;\n", "GLSL"),
    ("x.pp", b"class nginx {\n  package { 'nginx':\n    ensure => installed,\n  }\n}\n", "Puppet"),
    ("x.pp", b"program Hello;\nbegin\n  writeln('hi');\nend.\n", "Pascal"),
    ("x.v", b"module top (input clk);\nendmodule\n", "Verilog"),
    ("x.v", b"Theorem t : True.\nProof. trivial. Qed.\n", "Rocq Prover"),
    ("x.sql", b"SELECT 1;\n", "SQL"),
    ("x.sql", b"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE plpgsql;\n", "PLpgSQL"),
    ("x.sql", b"DECLARE @n int;\nSELECT @n = 1\nGO\n", "TSQL"),
    ("x.cls", b"public with sharing class AccountService {\n}\n", "Apex"),
    ("x.cls", b"\\NeedsTeXFormat{LaTeX2e}\n\\ProvidesClass{thesis}\n", "TeX"),
    ("x.properties", b"# settings\nhost=localhost\n", "Java Properties"),
    ("x.properties", b"[server]\nhost=localhost\n", "INI"),
    ("x.hh", b"<?hh\nfunction f(): void {}\n", "Hack"),
    ("x.hh", b"class A {};\n", "C++"),
]


@pytest.mark.parametrize(("path", "head", "language"), LANGUAGE_CASES)
def test_language(path: str, head: bytes, language: str | None) -> None:
    assert classify(path, head, NO_ROOT).language == language


KIND_CASES = [
    # Vendored: Linguist's vendor.yml and readiness's additions.
    ("web/node_modules/react/index.js", b"", VENDORED, "vendored: path matches node_modules/"),
    ("services/gateway/vendor/lru-cache/index.js", b"", VENDORED, "vendored: path matches vendors?/"),
    ("third_party/zlib/inflate.c", b"", VENDORED, "vendored: path matches (3rd|[Tt]hird)[-_]?[Pp]arty/"),
    ("static/bower_components/x/x.js", b"", VENDORED, "vendored: path matches bower_components/"),
    (".yarn/releases/yarn-3.6.js", b"", VENDORED, "vendored: path matches (^|/)\\.yarn/"),
    ("Godeps/_workspace/src/x/y.go", b"", VENDORED, "vendored: path matches Godeps/_workspace/"),
    ("tools/.venv/lib/x.py", b"", VENDORED, "vendored: path matches (^|/)\\.?venv/"),
    ("lib/python3.11/site-packages/x.py", b"", VENDORED, "vendored: path matches (^|/)site-packages/"),
    ("web/dist/bundle.js", b"", VENDORED, "vendored: path matches (^|/)dist/"),
    ("pkg/parse/testdata/input.go", b"", VENDORED, "vendored: path matches (^|/)testdata/"),
    ("static/js/app.min.js", b"", VENDORED, "vendored: file name matches .*[.-]min\\.(js|css)"),
    ("static/js/jquery.js", b"", VENDORED, "vendored: file name matches jquery[^.]*\\.js"),
    ("static/js/jquery-3.7.1.js", b"", VENDORED, "vendored: file name matches jquery-\\d\\.\\d+(\\.\\d+)?\\.js"),
    ("static/css/bootstrap.css", b"", VENDORED, "vendored: file name matches bootstrap[^.]*\\.(js|css|less|scss|styl)"),
    ("gradlew", b"#!/bin/sh\n", VENDORED, "vendored: file name matches gradlew"),
    ("types/index.d.ts", b"", VENDORED, "vendored: file name matches .*\\.d\\.ts"),
    ("Jenkinsfile", b"", VENDORED, "vendored: path matches Jenkinsfile"),
    # Generated: Linguist's generated.rb, by name and by content.
    ("gen/api.pb.go", b"package api\n", GENERATED, "generated: file name matches .*\\.pb(\\.gw|\\.validate)?\\.go"),
    ("app/api_pb2.py", b"", GENERATED, "generated: file name matches .*_pb2(_grpc)?\\.pyi?"),
    ("app/api_pb2_grpc.py", b"", GENERATED, "generated: file name matches .*_pb2(_grpc)?\\.pyi?"),
    ("src/api.pb.cc", b"", GENERATED, "generated: file name matches .*\\.pb\\.(cc|h)"),
    ("src/api.pb.h", b"", GENERATED, "generated: file name matches .*\\.pb\\.(cc|h)"),
    ("Forms/Main.Designer.cs", b"", GENERATED, "generated: file name matches (?i:.*\\.designer\\.(cs|vb))"),
    ("package-lock.json", b"{}", GENERATED, "generated: file name matches package-lock\\.json"),
    ("web/yarn.lock", b"", GENERATED, "generated: file name matches yarn\\.lock"),
    ("Cargo.lock", b"", GENERATED, "generated: file name matches Cargo\\.lock"),
    ("go.sum", b"", GENERATED, "generated: file name matches go\\.(work\\.)?sum"),
    ("lib/model.g.dart", b"", GENERATED, "generated: file name matches .*\\.(g|freezed)\\.dart"),
    ("src/__generated__/Query.graphql.ts", b"", GENERATED, "generated: path matches __generated__/"),
    ("static/app.js.map", b"{}", GENERATED, "generated: file name matches (?i:.*\\.(css|js)\\.map)"),
    ("static/app.js", b"var a=1;" * 40, GENERATED, "generated: minified (average line over 110 characters)"),
    (
        "static/app.js",
        b"var a = 1;\n//# sourceMappingURL=app.js.map\n",
        GENERATED,
        "generated: compiled with a source map",
    ),
    (
        "cmd/enum_string.go",
        b'// Code generated by "stringer"; DO NOT EDIT.\n\npackage cmd\n',
        GENERATED,
        "generated: header says Code generated",
    ),
    (
        "api/client.ts",
        b"// Code generated by protoc-gen-ts_proto. DO NOT EDIT.\n",
        GENERATED,
        "generated: header says Code generated ... DO NOT EDIT",
    ),
    (
        "Schema.java",
        b"/*\n * @generated by codegen\n */\nclass Schema {}\n",
        GENERATED,
        "generated: header says @generated",
    ),
    (
        "Model.cs",
        b"//------\n// <auto-generated>\n// </auto-generated>\n",
        GENERATED,
        "generated: header says <auto-generated>",
    ),
    (
        "conf.py",
        b"# This file was automatically generated by a tool.\nx = 1\n",
        GENERATED,
        "generated: header says this file was generated",
    ),
    (
        "api/service.py",
        b"# Generated by the protocol buffer compiler.  DO NOT EDIT!\n",
        GENERATED,
        "generated: header says protocol buffer compiler",
    ),
    # A "generated" that is only data does not make the file generated.
    ("app/settings.py", b'GENERATED_NAME = "x"\n', SOURCE, "source: language type programming"),
    # Documentation: Linguist's documentation.yml.
    ("docs/architecture.py", b"", DOCUMENTATION, "documentation: path matches ^[Dd]ocs?/"),
    ("lib/Documentation/guide.md", b"", DOCUMENTATION, "documentation: path matches (^|/)[Dd]ocumentation/"),
    ("examples/client.py", b"", DOCUMENTATION, "documentation: path matches ^[Ee]xamples/"),
    ("demo/run.sh", b"", DOCUMENTATION, "documentation: path matches ^[Dd]emos?/"),
    ("README.md", b"", DOCUMENTATION, "documentation: file name matches README(\\..*)?"),
    ("services/api/CHANGELOG.md", b"", DOCUMENTATION, "documentation: file name matches CHANGE(S|LOG)?(\\..*)?"),
    ("LICENSE", b"", DOCUMENTATION, "documentation: file name matches LICEN[CS]E(\\..*)?"),
    ("CONTRIBUTING.md", b"", DOCUMENTATION, "documentation: file name matches CONTRIBUTING(\\..*)?"),
    # Tests: readiness's rules.
    ("services/api/tests/test_api.py", b"", TEST, "test: path matches (^|/)[Tt]ests?/"),
    ("src/test/java/com/acme/FooTest.java", b"", TEST, "test: path matches (^|/)[Tt]ests?/"),
    ("web/src/__tests__/App.tsx", b"", TEST, "test: path matches (^|/)__tests__/"),
    ("spec/models/user_spec.rb", b"", TEST, "test: path matches (^|/)specs?/"),
    (
        "src/Acme.Api.Tests/OrdersTests.cs",
        b"",
        TEST,
        "test: path matches (^|/)[^/]+\\.(Unit|Integration|Functional)?Tests?/",
    ),
    ("app/test_pricing.py", b"", TEST, "test: file name matches test_.*\\.py"),
    ("app/pricing_test.py", b"", TEST, "test: file name matches .*_test\\.py"),
    ("app/conftest.py", b"", TEST, "test: file name matches conftest\\.py"),
    ("internal/dispatch/dispatcher_test.go", b"", TEST, "test: file name matches .*_test\\.go"),
    (
        "src/main/java/FooTests.java",
        b"",
        TEST,
        "test: file name matches .*Tests?\\.(java|kt|kts|scala|groovy|cs|fs|vb|swift|php|m|mm)",
    ),
    ("src/main/scala/FooSpec.scala", b"", TEST, "test: file name matches .*(Spec|Suite|IT)\\.(java|kt|scala|groovy)"),
    ("web/src/api.test.ts", b"", TEST, "test: file name matches .*\\.(test|spec)\\.(js|jsx|mjs|cjs|ts|tsx|mts|cts)"),
    ("web/src/api.spec.js", b"", TEST, "test: file name matches .*\\.(test|spec)\\.(js|jsx|mjs|cjs|ts|tsx|mts|cts)"),
    ("lib/user_spec.rb", b"", TEST, "test: file name matches .*_(spec|test)\\.rb"),
    # Data: data and prose languages, and unknown ones; a data file under tests/ stays data.
    ("deploy/values.yaml", b"", DATA, "data: language type data"),
    ("notes/plan.md", b"", DATA, "data: language type prose"),
    ("tests/fixtures.json", b"", DATA, "data: language type data"),
    ("assets/logo.png", b"", DATA, "data: unknown language"),
    # Source: everything else in a programming or markup language.
    ("app/pricing.py", b"", SOURCE, "source: language type programming"),
    ("web/index.html", b"", SOURCE, "source: language type markup"),
]


@pytest.mark.parametrize(("path", "head", "kind", "reason"), KIND_CASES)
def test_kind(path: str, head: bytes, kind: FileKind, reason: str) -> None:
    result = classify(path, head, NO_ROOT)
    assert (result.kind, result.reason) == (kind, reason)


def test_vendored_before_generated_before_documentation_before_test() -> None:
    assert classify("vendor/docs/api_test.pb.go", b"", NO_ROOT).kind is VENDORED
    assert classify("docs/api_test.pb.go", b"", NO_ROOT).kind is GENERATED
    assert classify("docs/tests/api_test.go", b"", NO_ROOT).kind is DOCUMENTATION


def test_hook_returns_a_file_class_for_every_file() -> None:
    assert readiness_classify_file(path="x.unknownextension", head=b"\x00\xff", root=NO_ROOT) == FileClass(
        None, DATA, "data: unknown language"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"#!/usr/bin/env bash", "bash"),
        (b"#! /usr/local/bin/python3.12 -O", "python3"),
        (b"#!/usr/bin/env -S node --max-old-space-size=4096", "node"),
        (b"#!/usr/bin/env -i PATH=/bin ruby", "ruby"),
        (b"#!/usr/bin/env", None),
        (b"#!", None),
        (b"# not a shebang", None),
    ],
)
def test_interpreter(line: bytes, expected: str | None) -> None:
    assert interpreter(line + b"\n") == expected


def test_invalid_utf8_heads_are_classified() -> None:
    assert detect_language("x.h", b"\xff\xfe\n#include <vector>\n\xc3") == "C++"
    assert detect_language("script", b"#!/usr/bin/env \xff\xfe\n") is None


# --- .gitattributes -------------------------------------------------------------------------


def repository(tmp_path: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_gitattributes_overrides(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {
            ".gitattributes": "\n".join(
                [
                    "# overrides",
                    "*.js linguist-vendored",
                    "gen/** linguist-generated=true",
                    "design/* linguist-documentation",
                    "vendor/** -linguist-vendored",
                    "*.sql linguist-detectable",
                    "scripts/*.py -linguist-detectable",
                    "*.tpl linguist-language=cpp",
                    "legacy/*.js !linguist-vendored",
                    "flagged.py linguist-vendored=false",
                ]
            ),
            "web/.gitattributes": "*.js -linguist-vendored\nold/*.js linguist-vendored\n",
        },
    )
    cases = {
        "static/app.js": (VENDORED, ".gitattributes: linguist-vendored"),
        "web/app.js": (SOURCE, "source: language type programming"),
        "web/old/app.js": (VENDORED, ".gitattributes: linguist-vendored"),
        "legacy/app.js": (SOURCE, "source: language type programming"),
        "gen/deep/model.go": (GENERATED, ".gitattributes: linguist-generated"),
        "design/overview.py": (DOCUMENTATION, ".gitattributes: linguist-documentation"),
        "vendor/github.com/x/y.go": (SOURCE, "source: language type programming"),
        "db/schema.sql": (SOURCE, ".gitattributes: linguist-detectable"),
        "scripts/seed.py": (DATA, ".gitattributes: -linguist-detectable"),
        "flagged.py": (SOURCE, "source: language type programming"),
    }
    for path, expected in cases.items():
        result = classify(path, b"", root)
        assert (result.kind, result.reason) == expected, path
    assert classify("templates/page.tpl", b"", root).language == "C++"


def test_gitattributes_language_names_and_aliases(tmp_path: Path) -> None:
    lines = ["*.a linguist-language=Visual-Basic-.NET", "*.b linguist-language=golang", "*.c linguist-language=NoSuch"]
    root = repository(tmp_path, {".gitattributes": "\n".join(lines)})
    assert classify("x.a", b"", root).language == "Visual Basic .NET"
    assert classify("x.b", b"", root).language == "Go"
    assert classify("x.c", b"", root).language == "C"  # an unknown name leaves detection to the rules


def test_gitattributes_directory_pattern_does_not_reach_inside(tmp_path: Path) -> None:
    # As in git, "gen/" or "gen" name the directory, not the files in it; "gen/**" does.
    root = repository(
        tmp_path, {".gitattributes": "gen/ linguist-generated\ngen linguist-generated\nsrc/*.go linguist-generated\n"}
    )
    assert classify("gen/model.go", b"", root).kind is SOURCE
    assert classify("src/model.go", b"", root).kind is GENERATED
    assert classify("src/inner/model.go", b"", root).kind is SOURCE


def test_gitattributes_quoted_patterns_and_garbage(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {
            ".gitattributes": "\n".join(
                [
                    '"my file.py" linguist-generated',
                    '"unterminated linguist-vendored',
                    "[attr]binary -diff -merge -text",
                    "!negated.py linguist-vendored",
                    "\\ linguist-vendored",
                    "*.png binary",
                    "only-a-pattern",
                    "   ",
                    "a[ linguist-vendored",
                ]
            )
        },
    )
    (tmp_path / "junk" / ".gitattributes").parent.mkdir()
    (tmp_path / "junk" / ".gitattributes").write_bytes(b"\xff\xfe\x00*.py linguist-vendored\n\x00\x00")
    assert classify("my file.py", b"", root).kind is GENERATED
    assert classify("negated.py", b"", root).kind is SOURCE
    assert classify("unterminated", b"", root).kind is DATA
    assert classify("junk/app.py", b"", root).kind is SOURCE


def test_gitattributes_symlink_is_ignored(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "attributes").write_text("* linguist-vendored\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".gitattributes").symlink_to(outside / "attributes")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (outside / ".gitattributes").write_text("* linguist-vendored\n")
    assert classify("app.py", b"", root).kind is SOURCE
    assert classify("linked/app.py", b"", root).kind is SOURCE


def test_gitattributes_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".gitattributes")
    results: list[FileClass] = []
    worker = threading.Thread(target=lambda: results.append(classify("app.py", b"", tmp_path)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert results == [FileClass("Python", SOURCE, "source: language type programming")]


def test_gitattributes_read_once_per_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repository(tmp_path, {".gitattributes": "*.js linguist-vendored\n"})
    reads: list[str] = []
    real = languages.read_regular_file

    def counting(root_: Path, relpath: str, limit: int) -> bytes | None:
        reads.append(relpath)
        return real(root_, relpath, limit)

    monkeypatch.setattr(languages, "read_regular_file", counting)
    for name in ("a.js", "b.js", "src/c.js", "src/d.js"):
        classify(name, b"", root)
    assert sorted(reads) == [".gitattributes", "src/.gitattributes"]


# --- The tables ---------------------------------------------------------------------------------

DATA_DIR = Path(languages.__file__).with_name("data")


def test_every_shared_extension_has_heuristics() -> None:
    table = json.loads((DATA_DIR / "languages.json").read_text())
    owners: dict[str, list[str]] = defaultdict(list)
    for name, entry in table["languages"].items():
        for extension in entry.get("extensions", ()):
            owners[extension.lower()].append(name)
    with_rules = {extension for block in table["heuristics"] for extension in block["extensions"]}
    shared = {extension for extension, names in owners.items() if len(names) > 1}
    assert shared - with_rules == set()
    for block in table["heuristics"]:
        for rule in block["rules"]:
            assert any(rule["language"] in owners[extension] for extension in block["extensions"]), rule


HEURISTIC_EXTENSIONS = sorted(
    {
        extension
        for block in json.loads((DATA_DIR / "languages.json").read_text())["heuristics"]
        for extension in block["extensions"]
    }
)


@pytest.mark.parametrize("extension", HEURISTIC_EXTENSIONS)
def test_heuristics_compile(extension: str) -> None:
    assert languages._heuristics(extension)


def test_kind_rules_compile() -> None:
    table = json.loads((DATA_DIR / "kinds.json").read_text())
    for kind in ("vendored", "generated", "documentation", "test"):
        for scope in ("directories", "files", "paths"):
            for pattern in table[kind][scope]:
                re.compile(pattern)
