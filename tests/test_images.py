"""Base images: family, size class and runtime of the images services are built on."""

from __future__ import annotations

import pytest

from readiness_plugins._images import classify_image, split_reference


@pytest.mark.parametrize(
    ("reference", "family", "size_class", "runtime", "toolchain"),
    [
        ("eclipse-temurin:17-jdk", "jdk", "heavy", "JVM", False),
        ("eclipse-temurin:21-jre", "jre", "medium", "JVM", False),
        ("eclipse-temurin:21-jre-alpine", "jre-alpine", "medium", "JVM", False),
        ("openjdk:17-jdk-alpine", "jdk-alpine", "medium", "JVM", False),
        ("amazoncorretto:21", "jdk", "heavy", "JVM", False),
        ("registry.access.redhat.com/ubi9/openjdk-17-runtime", "jre", "medium", "JVM", False),
        ("gcr.io/distroless/java17-debian12", "distroless-java", "medium", "JVM", False),
        ("maven:3.9-eclipse-temurin-21", "jvm-build", "heavy", "JVM", True),
        ("ghcr.io/graalvm/native-image-community:21", "graalvm-native-image", "heavy", "JVM", True),
        ("node:20", "node-full", "heavy", "Node.js", False),
        ("node:20-slim", "node-slim", "medium", "Node.js", False),
        ("node:20-alpine", "node-alpine", "small", "Node.js", False),
        ("gcr.io/distroless/nodejs20-debian12", "distroless-node", "small", "Node.js", False),
        ("python:3.11", "python-full", "heavy", "CPython", False),
        ("python:3.12-slim-bookworm", "python-slim", "small", "CPython", False),
        ("docker.io/library/python:3.12-alpine@sha256:0123", "python-alpine", "small", "CPython", False),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "dotnet-sdk", "heavy", ".NET", True),
        ("mcr.microsoft.com/dotnet/aspnet:8.0", "dotnet-aspnet", "medium", ".NET", False),
        ("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", "dotnet-aspnet", "small", ".NET", False),
        ("golang:1.22", "go-toolchain", "heavy", "Go", True),
        ("golang:1.22-alpine", "go-toolchain", "medium", "Go", True),
        ("rust:1.79", "rust-toolchain", "heavy", "native", True),
        ("gcc:13", "gcc-toolchain", "heavy", "native", True),
        ("scratch", "scratch", "minimal", "native", False),
        ("gcr.io/distroless/static:nonroot", "distroless-static", "minimal", "native", False),
        ("gcr.io/distroless/cc", "distroless-cc", "minimal", "native", False),
        ("cgr.dev/chainguard/static:latest", "distroless-static", "minimal", "native", False),
        ("debian:bookworm-slim", "debian-slim", "small", None, False),
        ("alpine:3.20", "alpine", "minimal", None, False),
        ("nginx:1.27-alpine", "nginx-alpine", "small", "native", False),
        ("nginx:1.27", "nginx", "medium", "native", False),
        ("ruby:3.3", "ruby-full", "heavy", "Ruby", False),
        ("registry.acme.internal/shop/base:1", "unknown", "unknown", None, False),
    ],
)
def test_families(reference, family, size_class, runtime, toolchain):
    image = classify_image(reference)
    assert (image.family, image.size_class, image.runtime, image.toolchain) == (family, size_class, runtime, toolchain)


def test_references_are_normalised():
    assert split_reference("docker.io/library/node:20") == ("node", "20")
    assert split_reference("public.ecr.aws/docker/library/python:3.12@sha256:ab") == ("python", "3.12")
    assert split_reference("localhost:5000/team/app") == ("localhost:5000/team/app", "latest")
    assert split_reference("Eclipse-Temurin") == ("eclipse-temurin", "latest")
