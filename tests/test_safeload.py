"""The shared loader for untrusted manifests: bombs, cycles, garbage and size."""

from __future__ import annotations

import pytest

import yaml

from readiness_plugins import _safeload
from readiness_plugins._safeload import (
    UnsafeDocument,
    load_json,
    load_located_yaml,
    load_located_yaml_leniently,
    load_toml,
    load_yaml_documents,
    load_yaml_documents_leniently,
)

@pytest.fixture(autouse=True, params=["libyaml", "pyyaml"])
def loader(request, monkeypatch):
    """Every test runs with libyaml's parser (when PyYAML has it) and with PyYAML's own."""
    if request.param == "libyaml" and not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(_safeload, "_Loader", yaml.CSafeLoader if request.param == "libyaml" else yaml.SafeLoader)


BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_multi_document_yaml_with_ordinary_anchors():
    text = "x-env: &env\n  A: 1\nservices:\n  api:\n    environment: *env\n---\nkind: Service\n---\n"
    documents = load_yaml_documents(text)
    assert documents == [{"x-env": {"A": 1}, "services": {"api": {"environment": {"A": 1}}}}, {"kind": "Service"}]
    # The copy shares nothing, so a caller that edits one node edits only that node.
    assert documents[0]["x-env"] is not documents[0]["services"]["api"]["environment"]


def test_billion_laughs_is_refused():
    with pytest.raises(UnsafeDocument, match="more than 256 YAML aliases|more than 200000 nodes"):
        load_yaml_documents(BILLION_LAUGHS)


def test_a_few_aliases_that_expand_hugely_hit_the_node_budget():
    text = "a: &a [" + ",".join(["x"] * 1000) + "]\nb: [" + ",".join(["*a"] * 250) + "]\n"
    with pytest.raises(UnsafeDocument, match="more than 200000 nodes"):
        load_yaml_documents(text)


def test_self_referencing_anchor_is_refused():
    with pytest.raises(UnsafeDocument, match="nested deeper than 64 levels"):
        load_yaml_documents("a: &a [1, *a]\n")


@pytest.mark.parametrize(
    "text",
    ["a: [1, 2\n", "key: value\n  bad indent: x\n", "!!python/object/apply:os.system ['touch /tmp/pwned']\n", "\tx: 1\n"],
)
def test_malformed_or_unsafe_yaml_is_one_line_error(text):
    with pytest.raises(UnsafeDocument) as raised:
        load_yaml_documents(text)
    assert "\n" not in str(raised.value) and str(raised.value).startswith("invalid YAML: ")


def test_oversized_documents_are_not_parsed():
    with pytest.raises(UnsafeDocument, match="larger than 2 MiB, not parsed"):
        load_yaml_documents("a: b\n" * 600_000)


def test_helm_templates_parse_what_can_be_parsed():
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-api\n"
        "spec:\n  replicas: {{ .Values.replicas }}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n"
        "---\n{{- if .Values.ingress.enabled }}\nkind: Ingress\n{{- end }}\n"
    )
    documents, failed = load_yaml_documents_leniently(template)
    assert [d.get("kind") for d in documents] == ["Service"]
    assert failed == 2


def test_json_and_toml():
    assert load_json(b'{"scripts": {"start": "node ."}}') == {"scripts": {"start": "node ."}}
    assert load_toml(b'[package]\nname = "x"\n') == {"package": {"name": "x"}}
    with pytest.raises(UnsafeDocument, match="^invalid JSON: "):
        load_json(b"{'single': quotes}")
    with pytest.raises(UnsafeDocument, match="^invalid JSON: |nested deeper"):
        load_json(b"[" * 100_000)
    with pytest.raises(UnsafeDocument, match="^invalid TOML: "):
        load_toml(b"[package\nname = 1")


def merge_chain(levels: int) -> str:
    """Each level merges the one before it twice: PyYAML's own flattening doubles at every level."""
    lines = ["a0: &a0 {k0: 1, k1: 2}"]
    lines += [f"a{i}: &a{i}\n  <<: [*a{i - 1}, *a{i - 1}]\n  x{i}: {i}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_merge_keys_that_double_at_every_level_stay_cheap():
    # 60 levels is 2**60 entries for a naive merge; resolved once per mapping it is a few thousand.
    document = load_yaml_documents(merge_chain(60))[0]
    assert document["a59"] == {"k0": 1, "k1": 2, **{f"x{i}": i for i in range(1, 60)}}


def test_merge_keys_follow_yaml_precedence_like_pyyaml():
    text = (
        "base: &base {image: app, cpu: 1, env: {A: 1}}\n"
        "other: &other {cpu: 2, memory: 1G}\n"
        "svc:\n  <<: [*base, *other]\n  image: mine\n"
        "single:\n  <<: *other\n"
    )
    assert load_yaml_documents(text) == [yaml.safe_load(text)]


def test_a_merge_key_that_refers_to_its_own_mapping_is_refused():
    with pytest.raises(UnsafeDocument, match="refers to its own mapping|nested deeper"):
        load_yaml_documents("a: &a\n  <<: *a\n  x: 1\n")


def test_located_documents_know_the_line_of_each_key_and_item():
    text = "# comment\nservices:\n  api:\n    deploy:\n      replicas: 3\n---\nkind: Deployment\nspec:\n  containers:\n    - name: app\n      image: x\n"
    first, second = load_located_yaml(text)
    assert first.line("services", "api", "deploy", "replicas") == 5
    assert first.line("services", "api", "deploy", "missing") == 4
    assert (second.first_line, second.line("spec", "containers", 0), second.line("spec", "containers", 0, "image")) == (7, 10, 11)


def test_local_tags_keep_their_plain_content():
    text = "Resources:\n  Fn:\n    Properties:\n      Role: !GetAtt Role.Arn\n      Env: !Sub\n        - x-${A}\n        - {A: 1}\n"
    assert load_yaml_documents(text) == [{"Resources": {"Fn": {"Properties": {"Role": "Role.Arn", "Env": ["x-${A}", {"A": 1}]}}}}]


def test_lenient_located_documents_count_lines_from_the_stream_start():
    text = "kind: A\nname: {{ .Release.Name }}-api\n---\nkind: B\nspec:\n  replicas: 2\n"
    documents, failed = load_located_yaml_leniently(text)
    assert failed == 1
    assert [d.tree["kind"] for d in documents] == ["B"]
    assert documents[0].line("spec", "replicas") == 6
