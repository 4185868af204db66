"""The platform's message encryption, byte for byte as the reference sailor's ``encryptor.js``.

AES-256-CBC with PKCS#7 padding; the key is the SHA-256 of ``MESSAGE_CRYPTO_PASSWORD`` (UTF-8),
the IV the 16 bytes of ``MESSAGE_CRYPTO_IV``; the plaintext is the message as JavaScript's
``JSON.stringify`` writes it. Protocol version 1 carries the ciphertext as base64 text, version 2
as raw bytes. Without a password, messages travel as plain JSON, as the reference allows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..runtime.documents import loads_json


class DecryptionError(ValueError):
    """A message that cannot be decrypted or parsed; it is rejected, never processed."""


MAX_DEPTH = 512
"""How deep a message may nest; deeper than the component's own documents (a platform message
nests what other components built), still far from Python's recursion limit."""

_SAFE_INTEGER = 2**53
_SURROGATE = re.compile("[\ud800-\udfff]")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def js_number(value: float) -> str:
    """A number as JavaScript's ``Number.prototype.toString`` writes it: the shortest digits
    that read back the same (Python's ``repr`` finds them), plain up to 1e21 and down to 1e-6,
    else ``1e+21`` / ``1e-7`` style."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    exponent = int(exponent_text or 0) + len(whole.lstrip("0") or "")
    if not whole.lstrip("0"):
        exponent = int(exponent_text or 0) - (len(fraction) - len(fraction.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    count = len(digits)
    if count <= exponent <= 21:
        text = digits + "0" * (exponent - count)
    elif 0 < exponent <= 21:
        text = digits[:exponent] + "." + digits[exponent:]
    elif -6 < exponent <= 0:
        text = "0." + "0" * -exponent + digits
    else:
        shown = exponent - 1
        text = digits[0] + ("." + digits[1:] if count > 1 else "")
        text += f"e{'+' if shown >= 0 else '-'}{abs(shown)}"
    return sign + text


def js_json(value: Any) -> str:
    """``value`` as ``JSON.stringify`` writes it: no spaces, non-ASCII as is, lone surrogates
    escaped, integer-like keys first, and numbers as JavaScript holds and writes them (integers
    beyond 2^53 rounded to the nearest double, ``1.0`` as ``1``, ``1e-7``, ``1e+21``)."""
    numbers: list[str] = []
    converted = _js_values(value, numbers)
    if numbers:
        text = _dump(converted)
    else:
        text = json.dumps(converted, separators=(",", ":"), ensure_ascii=False)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    return text


class _JsNumber(str):
    """A number as JavaScript writes it, where that differs from Python's way."""


def _dump(value: Any) -> str:
    """json.dumps's compact form, by hand, for a value holding ``_JsNumber``s."""
    if isinstance(value, _JsNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_dump(str(k))}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _js_values(value: Any, numbers: list[str]) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        return _js_values(float(value), numbers)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) <= _SAFE_INTEGER:
            return int(value)
        written = _JsNumber(js_number(value))
        numbers.append(written)
        return written
    if isinstance(value, dict):
        items = [(str(key), _js_values(item, numbers)) for key, item in value.items()]
        indexes = [pair for pair in items if _is_array_index(pair[0])]
        if indexes:
            indexes.sort(key=lambda pair: int(pair[0]))
            items = indexes + [pair for pair in items if not _is_array_index(pair[0])]
        return dict(items)
    if isinstance(value, list | tuple):
        return [_js_values(item, numbers) for item in value]
    return value


def _is_array_index(key: str) -> bool:
    return _ARRAY_INDEX.fullmatch(key) is not None and int(key) < 2**32 - 1


class Encryptor:
    """Encrypts and decrypts message contents; ``repr`` shows neither key nor IV."""

    def __init__(self, password: str | None, iv: str | None) -> None:
        self._key = hashlib.sha256(password.encode("utf-8")).digest() if password else None
        if self._key is not None and not iv:
            raise ValueError("MESSAGE_CRYPTO_IV is missing: a password needs an IV")
        self._iv = iv.encode("utf-8") if iv else b""
        if self._key is not None and len(self._iv) != 16:
            raise ValueError("MESSAGE_CRYPTO_IV must be 16 bytes long")
        self._cipher_object: Cipher[modes.CBC] | None = None

    def __repr__(self) -> str:
        return f"Encryptor(encrypting={self._key is not None})"

    def _cipher(self) -> Cipher[modes.CBC]:
        if self._cipher_object is None:
            assert self._key is not None
            self._cipher_object = Cipher(algorithms.AES(self._key), modes.CBC(self._iv))
        return self._cipher_object

    def encrypt_bytes(self, plaintext: bytes) -> bytes:
        if self._key is None:
            return plaintext
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    def decrypt_bytes(self, ciphertext: bytes) -> bytes:
        if self._key is None:
            return ciphertext
        try:
            decryptor = self._cipher().decryptor()
            padded = decryptor.update(ciphertext) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError as error:
            raise DecryptionError(f"the message cannot be decrypted ({error})") from None

    def decrypt_chunks(self, chunks: Iterable[bytes]) -> bytearray:
        """``decrypt_bytes`` of the ciphertext ``chunks`` make up, decrypted as they come, so
        that the whole ciphertext is never held besides the plaintext."""
        plaintext = bytearray()
        if self._key is None:
            for chunk in chunks:
                plaintext += chunk
            return plaintext
        decryptor = self._cipher().decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        for chunk in chunks:
            plaintext += unpadder.update(decryptor.update(chunk))
        try:
            plaintext += unpadder.update(decryptor.finalize())
            plaintext += unpadder.finalize()
        except ValueError as error:
            raise DecryptionError(f"the message cannot be decrypted ({error})") from None
        return plaintext

    def encrypt_message(self, message: Any, *, base64_text: bool) -> bytes:
        """``message`` as the platform carries it: base64 text (protocol 1) or raw bytes (2)."""
        encrypted = self.encrypt_bytes(js_json(message).encode("utf-8"))
        return base64.b64encode(encrypted) if base64_text else encrypted

    def decrypt_message(self, content: bytes, *, base64_text: bool) -> Any:
        """The message in ``content``; None for an empty one, as the reference returns."""
        if not content:
            return None
        try:
            # Node's Buffer reads base64 without its padding too.
            padded = content + b"=" * (-len(content.strip()) % 4)
            raw = base64.b64decode(padded, validate=False) if base64_text else content
        except ValueError as error:
            raise DecryptionError(f"the message is not base64 ({error})") from None
        plaintext = self.decrypt_bytes(raw)
        try:
            return loads_json(plaintext.decode("utf-8"), max_depth=MAX_DEPTH)
        except (UnicodeDecodeError, ValueError) as error:
            raise DecryptionError(f"the decrypted message is not JSON ({error})") from None
