"""Pieces of a rule's doc page (``## What it finds``, ``## Why it matters...``, ``## Example``)."""

from __future__ import annotations

import re

from readiness.model import Rule

_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
SHORT_DESCRIPTION_LIMIT = 300


def doc_section(doc: str, heading: str) -> str:
    """The text under ``## heading`` (case-insensitive), up to the next ``##`` heading; empty if absent."""
    matches = list(_HEADING.finditer(doc))
    for index, match in enumerate(matches):
        if match.group(1).strip().lower() == heading.lower():
            end = matches[index + 1].start() if index + 1 < len(matches) else len(doc)
            return doc[match.end() : end].strip()
    return ""


def what_it_finds(rule: Rule) -> str:
    """The rule's ``What it finds`` section as one paragraph, or its title when the page has none."""
    return " ".join(doc_section(rule.doc, "What it finds").split()) or rule.title


def short_description(rule: Rule) -> str:
    """The first sentence of what the rule finds, for a one-line display."""
    sentence = _SENTENCE_END.split(what_it_finds(rule), maxsplit=1)[0]
    if len(sentence) > SHORT_DESCRIPTION_LIMIT:
        return sentence[: SHORT_DESCRIPTION_LIMIT - 1].rstrip() + "…"
    return sentence
