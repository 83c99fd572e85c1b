"""Edges through queues and topics: a service that publishes to a topic talks to each service consuming it.

Kafka (kafka-python, confluent-kafka, KafkaTemplate, ``@KafkaListener``, kafkajs,
segmentio's ``Writer``/``Reader``), RabbitMQ (``basic_publish``/``basic_consume``,
``convertAndSend``/``@RabbitListener``, ``sendToQueue``/``consume``), NATS
(``publish``/``subscribe``), SQS (``send_message``/``receive_message`` with a queue
name) and typed event buses (``AddSubscription<OrderPaidEvent, ...>`` with
``PublishAsync(new OrderPaidEvent(...))``) are read from each service's own source,
topics written as string literals or event types. The edge's protocol is the broker's.
"""

from __future__ import annotations

import re
from collections import defaultdict

from readiness import hookimpl
from readiness.model import Edge, Evidence, FileKind, Infrastructure, Repository, Service
from readiness_plugins._layout import NOT_PROGRAM_LANGUAGES, index_of

MAX_SCANNED_BYTES = 512 * 1024
EVIDENCE_PER_SIDE = 2
_NAME = r"""["'`]([A-Za-z0-9][\w.\-/>*]{0,200})["'`]"""

PRODUCERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kafka", re.compile(rf"\.(?:send|send_and_wait|produce)\(\s*(?:topic\s*=\s*)?{_NAME}")),
    ("kafka", re.compile(rf"ProducerRecord\s*<[^>]{{0,200}}>\s*\(\s*{_NAME}")),
    ("kafka", re.compile(rf"\.send\(\s*\{{\s*topic\s*:\s*{_NAME}")),
    ("kafka", re.compile(rf"kafka\.Writer\s*\{{[^}}]{{0,500}}?Topic\s*:\s*{_NAME}")),
    ("amqp", re.compile(rf"basic_publish\([^)]{{0,300}}?routing_key\s*=\s*{_NAME}")),
    ("amqp", re.compile(rf"\.(?:convertAndSend|sendToQueue)\(\s*{_NAME}")),
    ("nats", re.compile(rf"\.(?:publish|Publish|PublishMsg|request|Request)\(\s*{_NAME}")),
    ("sqs", re.compile(rf"send_message\([^)]{{0,300}}?QueueUrl\s*=\s*[^,)]{{0,100}}?{_NAME}")),
    ("events", re.compile(r"\bPublish(?:Async)?\(\s*new\s+([A-Z]\w{2,100}(?:Event|Message|Command))\s*\(")),
)
CONSUMERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kafka", re.compile(rf"@KafkaListener\([^)]{{0,300}}?topics\s*=\s*\{{?\s*{_NAME}")),
    ("kafka", re.compile(rf"KafkaConsumer\(\s*{_NAME}")),
    ("kafka", re.compile(rf"\.subscribe\(\s*(?:topics\s*=\s*)?\[\s*{_NAME}")),
    ("kafka", re.compile(rf"\.subscribe\(\s*\{{\s*topics?\s*:\s*\[?\s*{_NAME}")),
    ("kafka", re.compile(rf"kafka\.ReaderConfig\s*\{{[^}}]{{0,500}}?Topic\s*:\s*(?:\w+\(\s*\"[A-Z_]+\"\s*,\s*)?{_NAME}")),
    ("amqp", re.compile(rf"basic_consume\([^)]{{0,300}}?queue\s*=\s*{_NAME}")),
    ("amqp", re.compile(rf"@RabbitListener\([^)]{{0,300}}?queues\s*=\s*\{{?\s*{_NAME}")),
    ("amqp", re.compile(rf"\.consume\(\s*{_NAME}")),
    ("nats", re.compile(rf"\.(?:subscribe|Subscribe|QueueSubscribe|QueueSubscribeSync)\(\s*{_NAME}")),
    ("sqs", re.compile(rf"receive_message\([^)]{{0,300}}?QueueUrl\s*=\s*[^,)]{{0,100}}?{_NAME}")),
    ("events", re.compile(r"\bAddSubscription\s*<\s*([A-Z]\w{2,100})\s*,")),
)
_BROKER_WORDS = {"kafka": b"kafka", "amqp": b"amqp", "nats": b"nats", "sqs": b"sqs"}
"""A file must mention its broker: ``.send("x")`` is Kafka only in code that uses Kafka."""
_MESSAGING = re.compile(rb"(?i)kafka|amqp|rabbit|nats|sqs|publish|subscri|consume|listener")
"""Files that say none of these publish or consume nothing; most source files are skipped by it."""


def _events_protocol(infrastructure: tuple[Infrastructure, ...]) -> str:
    """The protocol a typed event bus travels over: the repository's broker."""
    kinds = {item.kind for item in infrastructure}
    return "kafka" if "kafka" in kinds else "amqp" if kinds & {"rabbitmq", "activemq", "servicebus"} else "nats" if "nats" in kinds else "events"


def _messages_in(data: bytes) -> list[tuple[str, str, str, int]]:
    """Every publish and consume call in a file's bytes: (``produce`` or ``consume``, broker, topic, line)."""
    if not _MESSAGING.search(data, 0, MAX_SCANNED_BYTES):
        return []
    lowered = data[:MAX_SCANNED_BYTES].lower()
    text = data[:MAX_SCANNED_BYTES].decode("utf-8", errors="replace")
    found = []
    for side, patterns in (("produce", PRODUCERS), ("consume", CONSUMERS)):
        for broker, pattern in patterns:
            if broker in _BROKER_WORDS and _BROKER_WORDS[broker] not in lowered:
                continue
            line, counted_to = 1, 0
            for match in pattern.finditer(text):
                line += text.count("\n", counted_to, match.start())
                counted_to = match.start()
                found.append((side, broker, match.group(1), line))
    return found


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    index = index_of(repo)
    sides: dict[str, dict[tuple[str, str], dict[str, list[Evidence]]]] = {"produce": defaultdict(dict), "consume": defaultdict(dict)}
    for service in services:
        for path in service.files:
            record = index.records.get(path)
            if record is None or not record.counted or record.kind is not FileKind.SOURCE or record.language in NOT_PROGRAM_LANGUAGES:
                continue
            for side, broker, topic, line in repo.extract(path, "topic_edges/1", _messages_in) or ():
                found = sides[side][broker, topic].setdefault(service.name, [])
                if len(found) < EVIDENCE_PER_SIDE:
                    verb = "publishes to" if side == "produce" else "consumes"
                    found.append(Evidence(path, line, f"{verb} {broker} topic {topic}"))
    events = _events_protocol(infrastructure)
    edges = []
    for (broker, topic), producers in sorted(sides["produce"].items()):
        consumers = sides["consume"].get((broker, topic), {})
        for producer, produced in sorted(producers.items()):
            for consumer, consumed in sorted(consumers.items()):
                if producer != consumer:
                    protocol = events if broker == "events" else broker
                    edges.append(Edge(producer, consumer, protocol, (*produced, *consumed)))
    return edges
