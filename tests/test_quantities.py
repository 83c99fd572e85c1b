"""Quantities as each tool reads them, to the exact byte and millicore."""

from __future__ import annotations

import pytest

from readiness_plugins._quantities import (
    decimal_number,
    docker_bytes,
    docker_millicores,
    format_bytes,
    format_millicores,
    go_bytes,
    jvm_bytes,
    kubernetes_bytes,
    kubernetes_millicores,
    mebibytes,
    whole_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512Mi", 536_870_912),
        ("1Gi", 1_073_741_824),
        ("1G", 1_000_000_000),
        ("512M", 512_000_000),
        ("1.5Gi", 1_610_612_736),
        ("129e6", 129_000_000),
        ("128974848", 128_974_848),
        (268435456, 268_435_456),
        ("64Ki", 65_536),
        # Millibytes are legal and Kubernetes rounds them up: a classic typo for 512 MiB.
        ("512m", 1),
        ("3g", None),
        ("1GB", None),
        ("lots", None),
        ("", None),
        (None, None),
        (True, None),
        ("9" * 100, None),
    ],
)
def test_kubernetes_memory(text, expected):
    assert kubernetes_bytes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("500m", 500), ("2", 2000), (2, 2000), (0.5, 500), ("0.5", 500), ("1.25", 1250), ("100u", 1), ("250Mi", None), ("-1", None)],
)
def test_kubernetes_cpu(text, expected):
    assert kubernetes_millicores(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512M", 536_870_912),
        ("1G", 1_073_741_824),
        ("3g", 3_221_225_472),
        ("1.5g", 1_610_612_736),
        ("256mb", 268_435_456),
        ("400MiB", 419_430_400),
        ("2Gi", 2_147_483_648),
        ("1024k", 1_048_576),
        ("4096", 4096),
        ("100b", 100),
        (1073741824, 1_073_741_824),
        ("1x", None),
        ("1 G", None),
    ],
)
def test_docker_memory(text, expected):
    assert docker_bytes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("0.5", 500), (0.5, 500), ("1.0", 1000), (2, 2000), ("0.25", 250), ("500m", None)])
def test_compose_cpus(text, expected):
    assert docker_millicores(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2g", 2_147_483_648), ("1g", 1_073_741_824), ("1024m", 1_073_741_824), ("512M", 536_870_912), ("65536k", 67_108_864), ("1048576", 1_048_576), ("1.5g", None), ("2gb", None)],
)
def test_jvm_sizes(text, expected):
    assert jvm_bytes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("400MiB", 419_430_400), ("1GiB", 1_073_741_824), ("2000000", 2_000_000), ("512B", 512), ("400MB", None), ("off", None)])
def test_go_memory_limit(text, expected):
    assert go_bytes(text) == expected


def test_mebibytes_and_plain_numbers():
    assert mebibytes("2048") == 2_147_483_648
    assert mebibytes(1024) == 1_073_741_824
    assert mebibytes("2048.5") is None
    assert whole_number("12") == 12 and whole_number(3) == 3
    assert whole_number("3.5") is None and whole_number(-1) is None and whole_number(False) is None
    assert decimal_number("70.0") == 70.0 and decimal_number(65) == 65.0 and decimal_number("70%") is None


def test_formatting_for_messages():
    assert format_bytes(536_870_912) == "512 MiB"
    assert format_bytes(1_000_000_000) == "953.7 MiB"
    assert format_bytes(12 * 1_073_741_824) == "12 GiB"
    assert format_bytes(100) == "100 B"
    assert format_millicores(500) == "0.5 CPU"
    assert format_millicores(2000) == "2 CPUs"
