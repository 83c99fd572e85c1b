"""Which commits fixed a problem Rust is meant to prevent, read from the commit subject.

A subject is a pain commit when it names a problem of one kind (a latency spike, a race,
a buffer overflow, an out-of-memory kill, a performance regression) together with an
intent to fix it (``fix``, ``avoid``, ``mitigate``, ``reduce``...). A CVE id needs no verb.
Subjects that are about documentation, tests or renames are never pain commits, whatever
words they contain: "fix typo in memory section of README" fixed a typo.

Only the subject is read. Bodies describe the problem around the change as much as the
change itself ("this also adds a timeout option"), so they mislead more than they help;
``tests/test_pain_commits.py`` measures precision and recall on a labelled set.

Every pattern is an alternation of literals with bounded gaps, matched once against at
most ``MAX_SUBJECT`` characters, so no subject can make matching slow.
"""

from __future__ import annotations

import re

from readiness.model import Criterion

MAX_SUBJECT = 300

_CVE = re.compile(r"\bcve-\d{4}-\d{4,7}\b")

_FIX_INTENT = re.compile(
    r"\b(?:fix(?:es|ed|ing)?|hotfix|bugfix|resolve[sd]?|prevent(?:s|ed|ing)?|avoid(?:s|ed|ing)?"
    r"|mitigate[sd]?|handle[sd]?|address(?:es|ed)?|patch(?:es|ed)?|plug(?:s|ged)?|reduce[sd]?"
    r"|cut(?:s)?|lower(?:s|ed)?|revert(?:s|ed)?|workaround|repair(?:s|ed)?|eliminate[sd]?"
    r"|stop(?:s|ped)?|tune[sd]?|correct(?:s|ed)?|speed(?:s|ed)? up)\b"
    r"|\bmake\b[^.]{0,60}\bthread[- ]safe\b"
)

# Subjects about something other than the product's behaviour.
_NOT_THE_PRODUCT = re.compile(
    r"\btypos?\b|\bspelling\b|\bdocs?\b|\bdocumentation\b|\breadme\b|\bchangelog\b|\bcomments?\b"
    r"|\brunbook\b|\bdashboard\b|\bgrafana\b|\bexample\b|\btraining\b|\btranslat"
    r"|\bflaky\b|^tests?(?:\([^)]{0,40}\))?:|\btests? for\b|\b(?:in|for|to) (?:the )?(?:\w+ )?tests?\b"
    r"|\btest (?:setup|suite|harness|timeout)s?\b|\be2e\b|\bci\b|\blint\b|\brename[sd]?\b"
    r"|\bui\b|\bcss\b|\blabels?\b|\bbuttons?\b|\bwidgets?\b"
)

# The problems, most specific kind first: a subject naming two kinds counts as the first.
_KINDS: tuple[tuple[Criterion, str, re.Pattern[str]], ...] = (
    (
        Criterion.SECURITY,
        "memory safety",
        re.compile(
            r"\bsegfaults?\b|\bsegmentation fault\b|\bsig ?segv\b|\bsegv\b|\buse[- ]after[- ]free\b|\buaf\b|\bdouble[- ]free\b"
            r"|\bbuffer[- ]over(?:flow|run|read)s?\b|\bheap[- ]overflow\b|\bstack[- ]overflow\b|\boverrun\b"
            r"|\binteger overflow\b|\bout[- ]of[- ]bounds?\b|\boob (?:read|write|access)\b|\binvalid (?:read|write|free)\b"
            r"|\b(?:read|write)s? past (?:the )?end\b"
            r"|\bmemory corruption\b|\bheap corruption\b|\bdangling pointer\b|\bnull (?:pointer|deref)"
            r"|\bnullpointerexception\b|\bnull ?reference ?exception\b|\bnpe\b|\bnil (?:pointer|dereference)\b"
            r"|\bleak(?:s|ed|ing)?\b"
        ),
    ),
    (
        Criterion.CONCURRENCY,
        "concurrency",
        re.compile(
            r"\brace[- ]conditions?\b|\bdata[- ]races?\b|\bracy\b"
            r"|\brac(?:e|es)\b (?:in|on|between|when|where|with|during|at|reported|that|causing|against|if)\b"
            r"|\bdeadlock(?:s|ed|ing)?\b|\blivelocks?\b|\bthread[- ]safe(?:ty)?\b|\bconcurrent ?modification"
            r"|\bconcurrent map (?:writes|read)\b|\bconcurrent (?:writes?|access|updates?)\b|\bunsynchronized\b"
            r"|\bthread[- ]unsafe\b|\blost updates?\b|\bdouble[- ]checked locking\b|\btoctou\b"
        ),
    ),
    (
        Criterion.COST,
        "memory footprint",
        re.compile(
            r"\boom(?:s|ed)?\b|\boom[- ]?kill(?:ed|s|er)?\b|\bout[- ]of[- ]memory\b|\boutofmemoryerror\b"
            r"|\bmemory (?:usage|consumption|footprint|bloat|growth|pressure|exhaustion)\b"
            r"|\bheap exhaustion\b|\brss growth\b|\b(?:excessive|high|unbounded) memory\b"
        ),
    ),
    (
        Criterion.LATENCY,
        "latency",
        re.compile(
            r"\blatenc(?:y|ies)\b|\bp9[059]\b|\bp99\.9\b|\btimeouts?\b|\btim(?:ed|ing|es)? ?out\b|\bdeadline exceeded\b"
            r"|\bgc pauses?\b|\bstop[- ]the[- ]world\b|\bfull gc\b|\bgc pause times?\b|\blong pauses?\b|\b50[234]s?\b"
            r"|\bhang(?:s|ing)?\b|\bhung\b|\bstall(?:s|ed|ing)?\b|\bslow\b[^.]{0,20}\bresponses?\b|\bresponse times?\b"
            r"|\b(?:requests?|connections?|calls?|queries) (?:stuck|hang)|\bstuck (?:requests?|connections?|calls?|queries)\b"
        ),
    ),
    (
        Criterion.PERFORMANCE,
        "performance",
        re.compile(
            r"\bperf(?:ormance)? (?:regression|degradation|issue|problem|bug)s?\b|\bdegraded performance\b"
            r"|\bregression in (?:performance|perf|throughput)\b|\bthroughput (?:drop|regression)s?\b"
            r"|\b(?:high|excessive|100%) cpu\b|\bcpu (?:usage|spike|hog|burn)s?\b|\bbusy[- ]loop\b"
            r"|\bslow(?:ness|er|ly)?\b|\bquadratic\b|\bn\+1 quer|\bfull table scans?\b|\bcatastrophic backtracking\b"
            r"|\bexcessive allocations?\b|\bhot (?:path|loop)\b|\bcpu (?:time|profiles?|bound)\b|\bcpu[- ]bound\b"
        ),
    ),
)

# Most subjects name no problem at all; one search over every kind's words settles them.
_ANY_KIND = re.compile("|".join(f"(?:{pattern.pattern})" for _, _, pattern in _KINDS))

PAIN_CRITERIA = tuple(criterion for criterion, _, _ in _KINDS)
KIND_NAMES = {criterion: name for criterion, name, _ in _KINDS}


def classify(subject: str) -> Criterion | None:
    """The criterion a commit subject says its commit relieved, or None."""
    text = subject[:MAX_SUBJECT].lower()
    if "cve-" in text and _CVE.search(text):
        return Criterion.SECURITY
    if not _ANY_KIND.search(text) or _NOT_THE_PRODUCT.search(text) or not _FIX_INTENT.search(text):
        return None
    for criterion, _, pattern in _KINDS:
        if pattern.search(text):
            return criterion
    return None
