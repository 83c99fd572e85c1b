"""Memory and CPU quantities as exact integers: bytes and millicores.

Not a plugin: the runtime plugins share it. The same text means different amounts to
different tools, so every parser is named for the tool whose rules it follows:
``1G`` is 10^9 bytes to Kubernetes but 2^30 to Docker; ``512m`` is half a CPU to
Kubernetes, 512 MiB to Docker and to the JVM. Every parser returns None for anything
it does not recognise, and never raises.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

MAX_TEXT = 40
"""Longer strings are not quantities; refusing them keeps every parse trivially cheap."""
MAX_VALUE = 1 << 62

KIB, MIB, GIB, TIB, PIB, EIB = (1 << (10 * power) for power in range(1, 7))

_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,2}))?([A-Za-z]{0,3})")
_KUBERNETES_SUFFIXES = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
    "Ki": Decimal(KIB),
    "Mi": Decimal(MIB),
    "Gi": Decimal(GIB),
    "Ti": Decimal(TIB),
    "Pi": Decimal(PIB),
    "Ei": Decimal(EIB),
}
_BINARY_LETTER = {"": 1, "b": 1, "k": KIB, "m": MIB, "g": GIB, "t": TIB, "p": PIB}
_GO_SUFFIXES = {"": 1, "B": 1, "KiB": KIB, "MiB": MIB, "GiB": GIB, "TiB": TIB}


def _parts(value: object) -> tuple[Decimal, str] | None:
    """The number and unit suffix of ``value`` (a string, int or float), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text or len(text) > MAX_TEXT:
        return None
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    number, exponent, suffix = match.groups()
    try:
        amount = Decimal(number) * (Decimal(10) ** int(exponent) if exponent else 1)
    except InvalidOperation:
        return None
    return amount, suffix


def _whole(amount: Decimal) -> int | None:
    """Rounded up, as Kubernetes rounds a quantity to its smallest unit."""
    result = math.ceil(amount)
    return result if 0 <= result <= MAX_VALUE else None


def kubernetes_bytes(value: object) -> int | None:
    """A Kubernetes memory quantity: ``512Mi`` (binary), ``1G`` (decimal), ``129e6``, plain bytes."""
    parts = _parts(value)
    if parts is None or parts[1] not in _KUBERNETES_SUFFIXES:
        return None
    return _whole(parts[0] * _KUBERNETES_SUFFIXES[parts[1]])


def kubernetes_millicores(value: object) -> int | None:
    """A Kubernetes CPU quantity: ``500m``, ``"2"``, ``0.5``."""
    parts = _parts(value)
    if parts is None or parts[1] not in ("", "m", "k", "u", "n"):
        return None
    return _whole(parts[0] * _KUBERNETES_SUFFIXES[parts[1]] * 1000)


def docker_bytes(value: object) -> int | None:
    """A Docker or compose memory size: ``512M``, ``3g``, ``1.5GB``, ``400MiB``, plain bytes; always binary."""
    parts = _parts(value)
    if parts is None:
        return None
    suffix = parts[1].lower()
    if suffix in ("", "b"):
        return _whole(parts[0])
    letter, tail = suffix[0], suffix[1:]
    if letter not in "kmgtp" or tail not in ("", "b", "i", "ib"):
        return None
    return _whole(parts[0] * _BINARY_LETTER[letter])


def docker_millicores(value: object) -> int | None:
    """Compose ``cpus``: a decimal number of CPUs, ``0.5`` or ``"1.5"``."""
    parts = _parts(value)
    if parts is None or parts[1]:
        return None
    return _whole(parts[0] * 1000)


def jvm_bytes(value: object) -> int | None:
    """A JVM size argument (``-Xmx2g``, ``-Xms512m``, ``1024k``, bytes): binary units, whole numbers."""
    parts = _parts(value)
    if parts is None or parts[1].lower() not in ("", "k", "m", "g", "t") or parts[0] != parts[0].to_integral_value():
        return None
    return _whole(parts[0] * _BINARY_LETTER[parts[1].lower()])


def go_bytes(value: object) -> int | None:
    """``GOMEMLIMIT``: bytes, or a number with ``B``, ``KiB``, ``MiB``, ``GiB`` or ``TiB``."""
    parts = _parts(value)
    if parts is None or parts[1] not in _GO_SUFFIXES:
        return None
    return _whole(parts[0] * _GO_SUFFIXES[parts[1]])


def mebibytes(value: object) -> int | None:
    """A whole number of MiB, as Node's ``--max-old-space-size`` and Lambda's ``MemorySize`` take it."""
    parts = _parts(value)
    if parts is None or parts[1] or parts[0] != parts[0].to_integral_value():
        return None
    return _whole(parts[0] * MIB)


def whole_number(value: object) -> int | None:
    """A non-negative integer written as an int or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_VALUE else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    return None


def decimal_number(value: object) -> float | None:
    """A non-negative number such as ``70.0`` or ``"65"``."""
    parts = _parts(value)
    if parts is None or parts[1]:
        return None
    return float(parts[0])


def format_bytes(amount: int) -> str:
    """``536870912`` -> ``512 MiB``; ``1000000000`` -> ``953.7 MiB``."""
    for unit, size in (("TiB", TIB), ("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if amount >= size:
            return f"{amount / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{amount} B"


def format_millicores(millicores: int) -> str:
    """``500`` -> ``0.5 CPU``; ``2000`` -> ``2 CPUs``."""
    cpus = millicores / 1000
    text = f"{cpus:g}"
    return f"{text} CPU" if cpus <= 1 else f"{text} CPUs"
