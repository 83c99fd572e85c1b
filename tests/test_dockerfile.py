"""The Dockerfile parser on real-world shapes and on garbage: exact stages, images, commands."""

from __future__ import annotations

from conftest import FIXTURES

from readiness_plugins._dockerfile_syntax import MAX_CHARS, env_pairs, exposed_ports, parse_dockerfile, substitute

DOCKERFILES = FIXTURES / "runtime" / "dockerfiles"


def test_every_feature_at_once():
    dockerfile = parse_dockerfile((DOCKERFILES / "everything.Dockerfile").read_text())

    assert dockerfile.directives == (("syntax", "docker/dockerfile:1.7"), ("escape", "\\"))
    assert [(s.index, s.name, s.image, s.parent, s.line) for s in dockerfile.stages] == [
        (0, "build", "docker.io/library/maven:3.9-eclipse-temurin-21", None, 7),
        (1, "runtime", "eclipse-temurin:21-jre-alpine", None, 21),
        (2, "debug", "eclipse-temurin:21-jre-alpine", 1, 33),
        (3, None, "eclipse-temurin:21-jre-alpine", 1, 36),
    ]
    build, runtime, _, final = dockerfile.stages
    # The heredoc body is not read as instructions, and the comment and blank line inside
    # the RUN continuation do not end it.
    copy, run, train = build.instructions[1:]
    assert copy.heredocs == ("<settings>\nFROM fake:image\n</settings>",)
    assert (run.line, run.arguments) == (14, "--mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests")
    assert train.line == 19
    assert dockerfile.problems == ("line 22: not an instruction: 'THIS'",)

    assert dockerfile.final is final
    assert [s.name for s in dockerfile.lineage(final)] == [None, "runtime"]
    assert dockerfile.environment(final) == [
        ("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75.0 -XX:+UseZGC -XX:+ZGenerational", 23),
        ("APP_HOME", "/opt/app", 23),
        ("LEGACY_FORM", "some words here", 25),
    ]
    entrypoint = dockerfile.inherited(final, "ENTRYPOINT")
    assert entrypoint is not None and entrypoint.line == 30
    assert entrypoint.argv == ("java", "-XX:SharedArchiveFile=/opt/app/app.jsa", "-Xmx1536m", "-jar", "/opt/app/app.jar")
    assert dockerfile.inherited(final, "CMD").argv == ("--server.port=8080",)
    assert dockerfile.inherited(final, "USER").arguments == "10001:10001"
    assert dockerfile.inherited(final, "HEALTHCHECK").line == 28
    assert exposed_ports(runtime) == [8080, 9090]
    assert [s.name for s in dockerfile.sources(runtime)] == ["build"]
    assert runtime.last("COPY").option("from") == "build"


def test_backtick_escape_directive():
    dockerfile = parse_dockerfile((DOCKERFILES / "windows-escape.Dockerfile").read_text())
    assert dockerfile.problems == ()
    [stage] = dockerfile.stages
    assert stage.image == "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled"
    assert dockerfile.environment(stage) == [("DOTNET_gcServer", "1", 3), ("DOTNET_GCHeapHardLimit", "0x30000000", 3)]
    assert stage.last("ENTRYPOINT").line == 5


def test_crlf_line_endings_and_shell_form_continuations():
    dockerfile = parse_dockerfile("FROM node:20-slim\r\nWORKDIR /app\r\nCMD node \\\r\n  --max-old-space-size=768 \\\r\n  dist/main.js\r\n")
    cmd = dockerfile.final.last("CMD")
    assert (cmd.line, cmd.argv, cmd.arguments) == (3, None, "node --max-old-space-size=768 dist/main.js")
    assert cmd.words == ["node", "--max-old-space-size=768", "dist/main.js"]


def test_garbage_never_stops_the_parse():
    text = (
        "\x00\x01\ufffdGARBAGE\n"
        "FROM\n"
        "FROM python:3.12-slim AS\n"
        "RUN pip install x\n"
        'CMD ["gunicorn", "-w", "3", "app:app"\n'
        "CMD [1, 2]\n"
        "RUN cat <<NEVER_CLOSED\n"
        "USER app\n"
        "FROM ${MISSING}\n"
    )
    dockerfile = parse_dockerfile(text)
    assert dockerfile.problems == (
        "line 1: not an instruction: '\\x00\\x01\ufffdGARBAGE'",
        "line 2: FROM without an image",
        "line 7: heredoc NEVER_CLOSED is never closed",
        "line 9: FROM ${MISSING}: build argument MISSING has no default",
    )
    first, second = dockerfile.stages
    assert (first.image, first.name) == ("python:3.12-slim", None)
    # Not valid JSON, so both are shell form, as BuildKit reads them.
    assert [(i.keyword, i.argv) for i in first.instructions] == [("RUN", None), ("CMD", None), ("CMD", None), ("RUN", None), ("USER", None)]
    assert second.image == ""


def test_instructions_before_the_first_from_and_empty_input():
    dockerfile = parse_dockerfile("RUN echo hi\nARG A=1 B\n")
    assert dockerfile.stages == () and dockerfile.final is None
    assert dockerfile.problems == ("line 1: RUN before the first FROM",)
    assert parse_dockerfile("").stages == ()


def test_huge_and_pathological_input_is_bounded():
    many = "FROM alpine\n" + "RUN true\n" * 10_000
    dockerfile = parse_dockerfile(many)
    assert len(dockerfile.final.instructions) == 4_999
    assert dockerfile.problems == ("line 5001: more than 5000 instructions, the rest not read",)
    endless = parse_dockerfile("FROM alpine\nRUN a \\\n" + "\\\n" * 50_000)
    assert endless.final.last("RUN").line == 2


def test_env_pairs():
    assert env_pairs('A=1 B="two words" C=') == [("A", "1"), ("B", "two words"), ("C", "")]
    assert env_pairs("NAME value with  spaces") == [("NAME", "value with spaces")]
    assert env_pairs("") == []


def test_unclosed_heredocs_and_oversized_text():
    text = "FROM alpine\n" + "RUN cat <<EOF\n" * 3 + "RUN <<-END\n\techo tabbed\n\tEND\nUSER app\n"
    dockerfile = parse_dockerfile(text)
    assert [(i.keyword, i.line, i.heredocs) for i in dockerfile.final.instructions] == [
        ("RUN", 2, ()),
        ("RUN", 3, ()),
        ("RUN", 4, ()),
        ("RUN", 5, ("echo tabbed",)),
        ("USER", 8, ()),
    ]
    assert dockerfile.problems == tuple(f"line {n}: heredoc EOF is never closed" for n in (2, 3, 4))
    comment = "#" + "x" * 999 + "\n"
    padded = parse_dockerfile("FROM alpine\n" + comment * (MAX_CHARS // len(comment) + 1) + "USER root\n")
    assert padded.final.instructions == ()
    assert padded.problems == (f"line {MAX_CHARS // len(comment) + 2}: longer than 20,000 lines or {MAX_CHARS:,} characters, the rest not read",)


def test_build_arguments_stage_references_and_copy_operands():
    dockerfile = parse_dockerfile(
        "ARG BASE\nARG SERVICE=cart TAG\n"
        "FROM ${BASE:-python}:3.12 AS Build\n"
        "FROM build\n"
        'COPY --from=build --chown=app ["src dir", "/app/"]\n'
        "COPY --from=0 a b\n"
        "COPY --from=nginx:1.27 /etc/nginx /etc/nginx\n"
    )
    assert dockerfile.arguments == (("BASE", None), ("SERVICE", "cart"), ("TAG", None))
    build, final = dockerfile.stages
    assert (final.parent, final.image, final.copies_from) == (0, "python:3.12", (0,))
    assert dockerfile.stage("BUILD") is build and dockerfile.stage("1") is final and dockerfile.stage("web") is None
    assert [i.operands for i in final.instructions] == [["src dir", "/app/"], ["a", "b"], ["/etc/nginx", "/etc/nginx"]]
    variables = dict(dockerfile.arguments)
    assert substitute("${SERVICE}/${TAG}/${X:-x}/${SERVICE:+y}/$TAG", variables) == "cart//x/y/"
    assert substitute("${SERVICE}/${TAG}/${X:-x}/${SERVICE:+y}/$TAG", variables, keep_unset=True) == "cart/${TAG}/x/y/$TAG"
