"""``picsart_component.sailor.crypto`` against the reference's ``lib/encryptor.js``, byte for byte.

Each case is a JSON text as the platform carries it: Python encrypts ``json.loads(text)``, the
reference ``JSON.parse(text)``, in protocol version 1 (base64 text) and 2 (raw bytes); each side
then decrypts the other's output. One Node process runs every case of the module.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from picsart_component.sailor.crypto import DecryptionError, Encryptor
from tests.sailor.node_harness import run_node_script

PASSWORD = "testCryptoPassword"
IV = "iv=any16_symbols"
VERSIONS = {"v1": "base64", "v2": None}


def _nested(depth: int) -> str:
    return '{"a":[' * depth + "0" + "]}" * depth


CASES: dict[str, str] = {
    "empty-object": "{}",
    "null": "null",
    "true": "true",
    "string": '"plain"',
    "empty-body": '{"id":"6f1c","attachments":{},"body":{},"headers":{}}',
    "message": json.dumps(
        {
            "id": "d8b0b3f2-2c6e-4b4e-9d51-3c3b9a8f0f00",
            "attachments": {"a.png": {"url": "http://h/objects/1?storage_type=maester", "size": 3}},
            "body": {"image": "https://cdn.example/a.png", "scale": 2, "ok": True},
            "headers": {"x-eio-meta-trace": "t-1"},
            "passthrough": {"step_1": {"body": {"n": 1}, "headers": {}}},
        }
    ),
    "unicode": '{"text":"Grüße, 日本語, עברית, ελληνικά, ß→ẞ"}',
    "emoji": '{"e":"😀👍🏽🇺🇦👩‍👩‍👧","key😀":"v"}',
    "escaped-surrogate-pair": '{"e":"\\ud83d\\ude00"}',
    "escapes": '{"s":"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f\\"\\\\\\/ \\u00e9"}',
    "line-separators": '{"s":"a\\u2028b\\u2029c"}',
    "nested": _nested(20),
    "arrays": '[1,"a",null,true,false,{"k":[]},[[[]]],-3]',
    "integers": '{"zero":0,"neg":-1,"max-safe":9007199254740991,"2^53":9007199254740992}',
    "integral-floats": '{"one":1.0,"big":123456789.0,"exp":1.5e3,"below-2^53":9007199254740991.0}',
    "floats": '{"a":0.1,"b":-1.5,"c":123.456,"d":0.0001,"e":1e-300,"f":5e-324}',
    "negative-zero": '{"a":-0,"b":-0.0}',
    "1e21": '{"n":1e21,"m":-1e21,"max":1.7976931348623157e308}',
    "overflow": '{"n":1e400}',
    "long-ascii": json.dumps({"s": "x" * 200_000}),
    "long-unicode": json.dumps({"s": "Ω😀" * 30_000}, ensure_ascii=False),
    "duplicate-keys": '{"a":1,"b":2,"a":3}',
    # What a plain json.dumps gets wrong.
    "float-2^53": '{"n":9007199254740992.0}',
    "float-1e16": '{"n":1e16}',
    "float-1e20": '{"n":1e20}',
    "float-0.00001": '{"n":0.00001}',
    "float-1e-7": '{"n":1e-7}',
    "int-2^53+1": '{"n":9007199254740993}',
    "int-20-digits": '{"n":12345678901234567890}',
    "integer-keys": '{"b":1,"2":2,"a":3,"1":4}',
    "lone-surrogate": '{"s":"\\ud800"}',
    "nested-100": _nested(100),
    "float-layouts": (
        "[1.5e-7,-1e-7,0.000001,0.0000012345,1.2345e-5,123e-20,100.0,4.35,-5e-324,"
        "1152921504606846976.0,999999999999999900000,9.999999999999999e20,1.0000000000000002,"
        "2.5e15,123456789012.5,-0.000001]"
    ),
    "int-edges": "[9007199254740992,-9007199254740992,-9007199254740993,18446744073709551616]",
    "key-edges": '{"b":0,"4294967295":1,"4294967294":2,"01":3,"-1":4,"1.0":5,"0":6,"10":7,"9":8}',
    "nested-integer-keys": '[{"z":{"2":1,"1":2}},{"3":[{"b":1,"0":0}]}]',
    "lone-surrogates": '{"\\udc00k":"\\ud800x\\udfff","pair":"\\ud83d\\ude00"}',
}

# Cases that JSON.stringify writes unlike a plain json.dumps: floats of 2^53 and more and below
# 1e-4 (9007199254740992, 10000000000000000, 0.00001, 1e-7), integers beyond 2^53 (JSON.parse
# rounds them to doubles: 12345678901234567000), integer-like keys (listed first, ascending), a
# lone surrogate (escaped), and nesting deeper than the component's own documents may go.

PARAMS = [
    pytest.param(case, version, id=f"{version}-{case}") for case in CASES for version in VERSIONS
]


@dataclass
class Outcome:
    content: bytes | None = None
    json_text: str | None = None
    error: str | None = None


@dataclass
class Reference:
    """What the reference made of every case: its encryption, and its decryption of Python's."""

    encrypted: dict[tuple[str, str], Outcome]
    decrypted: dict[tuple[str, str], Outcome]
    python: dict[tuple[str, str], bytes | BaseException]
    extra: dict[str, Outcome]


def _outcome(result: dict[str, Any]) -> Outcome:
    if not result["ok"]:
        return Outcome(error=result["error"])
    content = base64.b64decode(result["content"]) if "content" in result else None
    return Outcome(content=content, json_text=result.get("json"))


def _python_encrypt(case: str, version: str) -> bytes:
    return Encryptor(PASSWORD, IV).encrypt_message(
        json.loads(CASES[case]), base64_text=version == "v1"
    )


def _job(op: str, encoding: str | None, **fields: str) -> dict[str, Any]:
    return {"op": op, "encoding": encoding, **fields}


@pytest.fixture(scope="module")
def reference() -> Reference:
    python: dict[tuple[str, str], bytes | BaseException] = {}
    jobs: list[tuple[str, tuple[str, str], dict[str, Any]]] = []
    for case, text in CASES.items():
        for version, encoding in VERSIONS.items():
            key = (case, version)
            jobs.append(("encrypt", key, _job("encrypt", encoding, json=text)))
            try:
                made = _python_encrypt(case, version)
            except Exception as error:  # kept, to fail only this case's tests
                python[key] = error
                continue
            python[key] = made
            content = base64.b64encode(made).decode()
            jobs.append(("decrypt", key, _job("decrypt", encoding, content=content)))
    padded = Encryptor(PASSWORD, IV).encrypt_message({"a": 1}, base64_text=True)
    assert padded.endswith(b"==")
    extras = {
        "unpadded": padded.rstrip(b"="),
        "wrapped": padded[:10] + b"\n" + padded[10:],
        "garbage": b"not base64 at all!",
        "empty": b"",
    }
    for name, raw in extras.items():
        content = base64.b64encode(raw).decode()
        jobs.append(("extra", (name, "v1"), _job("decrypt", "base64", content=content)))
    request = {"password": PASSWORD, "iv": IV, "cases": [job for _, _, job in jobs]}
    results = json.loads(run_node_script("crypto.js", json.dumps(request)))
    found = Reference({}, {}, python, {})
    for (kind, key, _), result in zip(jobs, results, strict=True):
        if kind == "encrypt":
            found.encrypted[key] = _outcome(result)
        elif kind == "decrypt":
            found.decrypted[key] = _outcome(result)
        else:
            found.extra[key[0]] = _outcome(result)
    for name, raw in extras.items():
        found.extra[f"python-{name}"] = Outcome(content=raw)
    return found


def _python_content(reference: Reference, case: str, version: str) -> bytes:
    made = reference.python[case, version]
    if isinstance(made, BaseException):
        raise made
    return made


@pytest.mark.parametrize(("case", "version"), PARAMS)
def test_python_encryption_is_byte_identical(reference: Reference, case: str, version: str) -> None:
    node = reference.encrypted[case, version]
    assert node.error is None
    assert _python_content(reference, case, version) == node.content


@pytest.mark.parametrize(("case", "version"), PARAMS)
def test_python_decrypts_the_reference(reference: Reference, case: str, version: str) -> None:
    node = reference.encrypted[case, version]
    assert node.content is not None
    assert node.json_text is not None
    decrypted = Encryptor(PASSWORD, IV).decrypt_message(node.content, base64_text=version == "v1")
    assert decrypted == json.loads(node.json_text)


@pytest.mark.parametrize(("case", "version"), PARAMS)
def test_the_reference_decrypts_python(reference: Reference, case: str, version: str) -> None:
    _python_content(reference, case, version)
    node = reference.decrypted[case, version]
    assert node.error is None
    # What the reference reads from Python's bytes is what it reads from the text itself.
    assert node.json_text == reference.encrypted[case, version].json_text


def _python_decrypt(content: bytes) -> tuple[str | None, str | None]:
    """``(JSON of the message, None)`` or ``(None, the error)``."""
    try:
        message = Encryptor(PASSWORD, IV).decrypt_message(content, base64_text=True)
    except DecryptionError as error:
        return None, str(error)
    return json.dumps(message, separators=(",", ":")), None


@pytest.mark.parametrize(
    "variant",
    ["unpadded", "wrapped", "garbage", "empty"],
)
def test_base64_leniency_matches(reference: Reference, variant: str) -> None:
    """Protocol 1 text that is not quite the base64 the platform writes: Python accepts what
    the reference accepts and rejects what it rejects."""
    content = reference.extra[f"python-{variant}"].content
    assert content is not None
    node = reference.extra[variant]
    python_json, python_error = _python_decrypt(content)
    assert (python_error is None) == (node.error is None), (python_error, node.error)
    if node.error is None:
        assert python_json == node.json_text
