"""Hooks: records the startup, init and shutdown calls a sailor makes in a file of the test's."""

import json
import os
from typing import Any


def _record(name: str, *args: Any) -> None:
    with open(os.environ["RELAY_HOOKS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps([name, *args]) + "\n")


def startup(cfg: dict[str, Any]) -> dict[str, Any]:
    _record("startup", cfg)
    return {"started": True}


def init(cfg: dict[str, Any]) -> None:
    _record("init", cfg)


def shutdown(cfg: dict[str, Any], data: Any) -> None:
    _record("shutdown", cfg, data)


def process(body: dict[str, Any], config: Any, context: Any) -> dict[str, Any]:
    return body


def getMetaModel(cfg: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"in": {"type": "object"}, "out": {"type": "object", "properties": {"n": {}}}}


def listThings(cfg: dict[str, Any], context: Any) -> dict[str, str]:
    return {"a": "Thing A", "b": "Thing B"}
