"""Service mode: one call the platform makes outside any flow, as the reference's
``runService.js METHOD`` answers it.

``verifyCredentials``, ``getMetaModel`` and ``selectModel`` read ``ELASTICIO_CFG`` (the
credentials' or the step's config, as JSON) and POST ``{"status": "success", "data": ...}`` or
``{"status": "error", "data": {"message": ...}}`` to ``ELASTICIO_POST_RESULT_URL`` (user and
password in that URL become basic auth).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

from ..runtime.documents import loads_json
from ..runtime.errors import ComponentError
from ..runtime.executor import Executor
from ..runtime.manifest import VERIFY_CREDENTIALS_MAIN

log = logging.getLogger("picsart.sailor.service")

METHODS = ("verifyCredentials", "getMetaModel", "selectModel")


class ServiceSetupError(RuntimeError):
    """The call cannot even start (no result URL, an unknown method): nothing can be POSTed."""


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not provided")
    return value


def service_result(
    method: str, environ: Mapping[str, str], component_root: Path, services: object = None
) -> dict[str, Any]:
    """The body to POST: the method's result, or the error that stopped it."""
    try:
        if method not in METHODS:
            raise AssertionError(f'Unknown service method "{method}"')
        raw_cfg = _required(environ, "ELASTICIO_CFG")
        for name in ("ELASTICIO_API_URI", "ELASTICIO_API_USERNAME", "ELASTICIO_API_KEY"):
            _required(environ, name)
        if method in ("getMetaModel", "selectModel"):
            _required(environ, "ELASTICIO_ACTION_OR_TRIGGER")
        if method == "selectModel":
            _required(environ, "ELASTICIO_GET_MODEL_METHOD")
        try:
            cfg = loads_json(raw_cfg)
        except ValueError:
            raise ValueError("Unable to parse CFG") from None
        if not isinstance(cfg, dict):
            raise ValueError("Unable to parse CFG")
        executor = Executor(component_root, services=services)
        if method == "verifyCredentials":
            # As the reference: a component without verifyCredentials accepts any credentials.
            has_check = (component_root / VERIFY_CREDENTIALS_MAIN).is_file()
            data: Any = executor.verify_credentials(cfg) if has_check else {"verified": True}
        else:
            action = environ["ELASTICIO_ACTION_OR_TRIGGER"]
            name = (
                "getMetaModel"
                if method == "getMetaModel"
                else environ["ELASTICIO_GET_MODEL_METHOD"]
            )
            data = executor.call_module_method(action, name, cfg, services)
    except (AssertionError, ValueError, ComponentError) as error:
        return {"status": "error", "data": {"message": str(error)}}
    except Exception as error:
        log.debug("service call failed", exc_info=True)
        return {"status": "error", "data": {"message": f"{type(error).__name__}: {error}"}}
    return {"status": "success", "data": data}


def post_result(url: str, body: Mapping[str, Any], session: requests.Session | None = None) -> int:
    """POST the result; user and password in ``url`` go as basic auth, not in the URL."""
    parts = urlsplit(url)
    auth = None
    if parts.username and parts.password:
        auth = (unquote(parts.username), unquote(parts.password))
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    response = (session or requests.Session()).post(
        url, json=body, auth=auth, timeout=(10, 60), headers={"Connection": "Keep-Alive"}
    )
    if response.status_code >= 500:
        raise RuntimeError(f"the platform answered {response.status_code} to the result")
    return response.status_code


def run_service(
    method: str, environ: Mapping[str, str], component_root: Path, services: object = None
) -> int:
    """Run one service call and POST its result; the exit status."""
    url = environ.get("ELASTICIO_POST_RESULT_URL")
    if not url:
        log.error("ELASTICIO_POST_RESULT_URL is not provided")
        return 1
    body = service_result(method, environ, component_root, services)
    try:
        post_result(url, body)
    except (requests.RequestException, RuntimeError) as error:
        log.error("posting the result failed: %s", error)
        return 1
    return 0
