"""Relay: does what the body's ``do`` asks, to test every event a sailor publishes."""

from pathlib import Path
from typing import Any

from picsart_component.runtime.messages import Message


def process(body: dict[str, Any], config: Any, context: Any) -> Any:
    what = body.get("do")
    if what == "error":
        raise RuntimeError(body.get("message", "asked to fail"))
    if what == "rebound":
        context.emit("rebound", {"name": "Error", "message": body.get("message", "later")})
        return None
    if what == "snapshot":
        context.emit("snapshot", body.get("snapshot", {}))
    if what == "updateSnapshot":
        context.emit("updateSnapshot", body.get("snapshot", {}))
    if what == "updateKeys":
        context.emit("updateKeys", body.get("keys", {}))
    if what == "httpReply":
        context.emit("httpReply", {"statusCode": 200, "body": "ok", "headers": {}})
    if what == "wait":
        # A FIFO: opening it waits for the test to open its end, reading it for the test to
        # close it (tests.sailor.amqp_harness.Gate).
        with open(body["gate"], "rb") as gate:
            gate.read()
    if what == "reboundOnce":
        runs = Path(body["runs"])
        earlier = len(runs.read_text().splitlines()) if runs.exists() else 0
        with runs.open("a") as log:
            log.write(context.message.id + "\n")
        if not earlier:
            context.emit("rebound", {"name": "Error", "message": "once"})
            return None
        return {**body, "run": earlier + 1, "via": "python"}
    if what == "big":
        return {"do": "big", "blob": "x" * int(body.get("size", 0)), "via": "python"}
    if what == "seen":
        return {"snapshot": context.snapshot, "cfg": dict(context.cfg), "via": "python"}
    headers = {"X-EIO-Routing-Key": body["key"]} if what == "route" else {}
    return Message(body={**body, "via": "python"}, headers=headers)
