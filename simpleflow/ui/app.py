"""The UI's Starlette application: routes, the guard in front of them, and page rendering.

Pages are rendered on the server by Jinja2 with autoescape on: every value read from SWF is escaped.
The only markup inserted as is are the two SVG pictures, which their generators escape themselves.
An open execution's page is then kept current by ``/execution/update`` (see simpleflow.ui.update).
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from simpleflow import __version__
from simpleflow.exceptions import UsageError
from simpleflow.swf import client
from simpleflow.swf.executions import UnknownExecution
from simpleflow.ui import actions, listing, present, update, window
from simpleflow.ui.config import UISettings
from simpleflow.ui.execution import ViewCache, load_view
from simpleflow.ui.security import csrf_value, holds_token, host_allowed, read_refusal, refusal

__all__ = ["create_app"]

log = logging.getLogger(__name__)
T = TypeVar("T")
HERE = os.path.dirname(os.path.abspath(__file__))

# No inline script or style can run, whatever a page holds: a second line behind the escaping.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" with the page's own
    # forms, which the CSRF check refuses as it refuses any opaque origin.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


class NotFound(Exception):
    """What a request names is not here (a domain this UI does not show, an action): a 404."""


class Guard:
    """ASGI middleware: the Host check, the token exchanged for a cookie, the token asked for every page when
    listening beyond loopback, security headers on every answer."""

    def __init__(self, app: Any, settings: UISettings, render: Any) -> None:
        self.app, self.settings, self.render = app, settings, render

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        request = Request(scope)
        if not host_allowed(self.settings, request.headers.get("host")):
            response: Response = Response("unknown Host header: open this UI by its loopback address", 421)
            await response(scope, receive, send_with_headers)
            return
        token = request.query_params.get("token")
        if token is not None:
            if holds_token(self.settings, token):
                rest = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k != "token"]
                # One leading slash: "//evil.example/" would be a link to another site.
                target = "/" + request.url.path.lstrip("/") + (f"?{urlencode(rest)}" if rest else "")
                response = RedirectResponse(target, 303)
                response.set_cookie(self.settings.cookie_name, token, httponly=True, samesite="strict", path="/")
            else:
                # (locked.html, as a browser without the token gets beyond loopback: nothing of the UI's data.)
                response = self.render(request, "locked.html", {"status": 403, "message": "wrong token"}, 403)
            await response(scope, receive, send_with_headers)
            return
        # (The UI's own script and style sheet are no one's data: the refusal page needs them.)
        why = None if request.url.path.startswith("/static/") else read_refusal(self.settings, self._cookie(request))
        if why is not None:
            response = self.render(request, "locked.html", {"status": 401, "message": why}, 401)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _cookie(self, request: Request) -> str | None:
        return request.cookies.get(self.settings.cookie_name)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(os.path.join(HERE, "templates")), autoescape=True)
    env.filters.update(present.FILTERS)
    env.filters["svg"] = Markup  # the DAG's picture: escaped by simpleflow.dag._graph
    env.globals["version"] = __version__
    env.globals["dict"] = dict
    env.globals["link"] = link
    env.globals["gap"] = window.gap
    env.globals["timeline_from"] = window.timeline_from
    return env


def create_app(settings: UISettings) -> Starlette:
    """The application serving *settings.domains* (see simpleflow.ui.config.UISettings)."""
    if not settings.domains:
        raise UsageError("simpleflow ui needs a domain: --domain NAME (or $SWF_DOMAIN)")
    env = _environment()
    parts_macros = env.get_template("parts.html").module
    cache = ViewCache()

    def authorized(request: Request) -> bool:
        return holds_token(settings, request.cookies.get(settings.cookie_name))

    def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        allowed = authorized(request)
        asked = request.query_params.get("domain")
        context = {"domain": asked if asked in settings.domains else settings.domains[0], **context}
        page = env.get_template(template).render(
            settings=settings,
            request=request,
            can_act=not settings.read_only,
            authorized=allowed,
            csrf=csrf_value(settings.token) if allowed else "",
            **context,
        )
        return HTMLResponse(page, status)

    def fail(request: Request, status: int, message: str) -> HTMLResponse:
        return render(request, "error.html", {"status": status, "message": message}, status)

    def domain_of(request: Request, values: Any = None) -> str:
        domain = (values or request.query_params).get("domain") or settings.domains[0]
        if domain not in settings.domains:
            raise NotFound(f"domain {domain!r} is not shown here (this UI shows: {', '.join(settings.domains)})")
        return domain

    def guarded(endpoint: Any, answers_json: bool = False) -> Any:
        """*endpoint*, its failures a page (or, *answers_json*, ``{"error": ...}`` for a script's fetch)."""

        def fail_as(request: Request, status: int, message: str) -> Response:
            return JSONResponse({"error": message}, status) if answers_json else fail(request, status, message)

        async def call(request: Request) -> Response:
            try:
                return await endpoint(request)
            except NotFound as err:  # (not any LookupError: a KeyError from a bug is a 500, not a 404)
                return fail_as(request, 404, str(err))
            except UnknownExecution as err:
                return fail_as(request, 404, str(err))
            except UsageError as err:
                return fail_as(request, 400, str(err))
            except ClientError as err:
                error = err.response.get("Error") or {}
                return fail_as(request, 502, f"SWF answered {error.get('Code')}: {error.get('Message')}")
            except (EndpointUnreachable, HTTPClientError) as err:  # SWF out of reach: an outage, not a bug
                log.warning("SWF does not answer: %s", err)
                return fail_as(
                    request, 502, f"SWF does not answer ({type(err).__name__}): is it up? This UI's log names it"
                )
            except Exception as err:  # a page must not show a traceback (nor what it holds)
                log.exception("error serving %s", request.url.path)
                return fail_as(request, 500, f"internal error ({type(err).__name__}); the server's log has the details")

        return call

    async def home(request: Request) -> Response:
        return RedirectResponse(link("/executions", domain=domain_of(request)), 303)

    async def executions(request: Request) -> Response:
        domain = domain_of(request)
        filters = listing.ListFilters.from_query(request.query_params)
        token = request.query_params.get("page") or None
        statuses = ["open", "closed"] if filters.status == "all" else [filters.status]

        def fetch() -> list[listing.ListPage]:
            return [
                listing.fetch_page(domain, status, filters, settings.page_size, token if len(statuses) == 1 else None)
                for status in statuses
            ]

        pages = await read_swf(fetch)
        any_open = any(row.status == "OPEN" for page in pages for row in page.rows)
        context = {
            "domain": domain,
            "filters": filters,
            "pages": pages,
            "close_statuses": listing.CLOSE_STATUSES,
            "refresh": settings.refresh if any_open else 0,
            "filter_query": filters.query(),
        }
        return render(request, "executions.html", context)

    def ids(values: Any) -> tuple[str, str | None]:
        workflow_id = (values.get("workflow_id") or "").strip()
        if not workflow_id:
            raise UsageError("which execution? the address needs workflow_id (and run_id)")
        return workflow_id, (values.get("run_id") or "").strip() or None

    async def full_view(domain: str, workflow_id: str, run_id: str | None) -> Any:
        view = await read_swf(load_view, domain, workflow_id, run_id, cache)
        if view.is_open and view.waiting.signals is None:
            await read_swf(_add_awaited_signals, settings, view)
        return view

    async def execution(request: Request) -> Response:
        domain = domain_of(request)
        workflow_id, run_id = ids(request.query_params)
        view = await full_view(domain, workflow_id, run_id)
        context = {
            "domain": domain,
            "view": view,
            "parts": update.parts_of(parts_macros, view, domain),
            "actions": [
                spec
                for spec in actions.ACTIONS.values()
                if actions.unavailable(spec, view.is_open, view.is_dag) is None
            ],
            "refresh": settings.refresh if view.is_open else 0,
        }
        return render(request, "execution.html", context)

    async def execution_update(request: Request) -> Response:
        domain = domain_of(request)
        workflow_id, run_id = ids(request.query_params)
        try:
            after = int(request.query_params.get("after") or "")
        except ValueError:
            raise UsageError("an update names the last event the page shows: after=N") from None
        view = await full_view(domain, workflow_id, run_id)
        digests = update.read_digests(request.query_params.get("have"))
        return JSONResponse(update.changes(parts_macros, view, domain, after, digests))

    async def execution_more(request: Request) -> Response:
        domain = domain_of(request)
        workflow_id, run_id = ids(request.query_params)
        kind = request.query_params.get("kind")
        if kind not in window.KINDS:
            raise UsageError(f"more of what? kind= takes one of: {', '.join(window.KINDS)}")
        try:
            before = int(request.query_params.get("before") or "")
        except ValueError:
            raise UsageError("more names the first row the page shows after its gap: before=N") from None
        view = await read_swf(load_view, domain, workflow_id, run_id, cache)
        return JSONResponse(window.more(parts_macros, view, kind, before))

    async def history_json(request: Request) -> Response:
        from simpleflow.swf.inspection import history_document

        domain = domain_of(request)
        workflow_id, run_id = ids(request.query_params)
        document = await read_swf(history_document, domain, workflow_id, run_id)
        return JSONResponse(document, headers={"content-disposition": "attachment; filename=history.json"})

    async def action_form(request: Request) -> Response:
        spec = actions.ACTIONS.get(request.path_params["name"])
        if spec is None:
            raise NotFound(f"no action {request.path_params['name']!r}")
        if settings.read_only:
            return fail(request, 403, "this UI is read-only (started with --read-only)")
        domain = domain_of(request)
        workflow_id, run_id = ids(request.query_params)
        if spec.name == "signal":  # with the signals its code waits for (replayed), to name one
            view = await full_view(domain, workflow_id, run_id)
        else:
            view = await read_swf(load_view, domain, workflow_id, run_id, cache)
        values = {"workflow": view.class_path or "", "reason": ""}
        if spec.name == "signal" and len(view.waiting.signals or ()) == 1:  # the one it waits for
            values["name"] = view.waiting.signals[0]
        return confirm_page(request, spec, domain, view, values)

    def confirm_page(
        request: Request, spec: Any, domain: str, view: Any, values: dict[str, str], error: str | None = None
    ) -> HTMLResponse:
        """The action's confirmation form filled with *values* (and, after a refused value, why, as a 400)."""
        context = {
            "domain": domain,
            "view": view,
            "spec": spec,
            "unavailable": actions.unavailable(spec, view.is_open, view.is_dag),
            "what": actions.confirmation(spec.name, domain, view.workflow_id, view.run_id, view.is_open),
            "defaults": values,
            "choices": {"name": view.waiting.signals or []} if spec.name == "signal" else {},
            "error": error,
        }
        return render(request, "confirm.html", context, 400 if error else 200)

    async def action_post(request: Request) -> Response:
        spec = actions.ACTIONS.get(request.path_params["name"])
        if spec is None:
            raise NotFound(f"no action {request.path_params['name']!r}")
        body = (await request.body()).decode("utf-8", "replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        why = refusal(
            settings,
            method=request.method,
            cookie=request.cookies.get(settings.cookie_name),
            form_csrf=form.get("csrf"),
            origin=request.headers.get("origin"),
            own_origin=f"{request.url.scheme}://{request.headers.get('host', '')}",
        )
        if why is not None:
            return fail(request, 403, why)
        domain = domain_of(request, form)
        workflow_id, run_id = ids(form)
        if run_id is None:
            raise UsageError("an action names its run: run_id is missing")
        try:
            result = await run_in_threadpool(actions.perform, spec.name, domain, workflow_id, run_id, form)
        except UsageError as err:  # a value of the form: the same form again, what was typed kept
            view = await read_swf(load_view, domain, workflow_id, run_id, cache)
            return confirm_page(request, spec, domain, view, form, str(err))
        context = {"domain": domain, "spec": spec, "result": result, "workflow_id": workflow_id, "run_id": run_id}
        return render(request, "result.html", context, 200 if result.ok else 409)

    routes = [
        Route("/", guarded(home)),
        Route("/executions", guarded(executions)),
        Route("/execution", guarded(execution)),
        Route("/execution/history.json", guarded(history_json)),
        Route("/execution/update", guarded(execution_update, answers_json=True)),
        Route("/execution/more", guarded(execution_more, answers_json=True)),
        Route("/action/{name}", guarded(action_form), methods=["GET"]),
        Route("/action/{name}", guarded(action_post), methods=["POST"]),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(Guard, settings=settings, render=render)
    app.state.settings = settings
    return app


async def read_swf(read: Callable[..., T], *args: Any) -> T:
    """*read(*args)* in a worker thread, its SWF calls quick to give up: a page answers within seconds
    when SWF does not (an action's call keeps the usual client: it is not tried again in a hurry)."""

    def call() -> T:
        with client.page_reads():
            return read(*args)

    return await run_in_threadpool(call)


def link(path: str, **params: Any) -> str:
    """A path with its query string (None values left out)."""
    items = {key: value for key, value in params.items() if value is not None and value != ""}
    return path + (f"?{urlencode(items)}" if items else "")


def _package_of(path: str | None) -> str | None:
    """The package to give ``--package`` for the class at *path*: its module, cut before a private part
    (``simpleflow.dag._workflow.DagWorkflow``: ``simpleflow.dag``, as it is imported)."""
    parts = (path or "").split(".")[:-1]
    public = list(itertools.takewhile(lambda part: not part.startswith("_"), parts))
    return ".".join(public) or None


def _add_awaited_signals(settings: UISettings, view: Any) -> None:
    """Fill ``view.waiting.signals`` by replaying the history here, when the operator allowed its class."""
    if not settings.allows_class(view.class_path):
        package = _package_of(view.class_path)
        view.waiting.signals_note = "the signals its code waits for are known by replaying it: start the UI with " + (
            f"--package {package}" if package else "--package naming the package of its workflow class"
        )
        return
    from simpleflow.engine import ExecutionInfo
    from simpleflow.runtime.loader import find_workflow_class
    from simpleflow.ui.waiting import awaited_signals

    workflow_class = find_workflow_class(view.class_path)
    if workflow_class is None:
        view.waiting.signals_note = f"cannot import {view.class_path} here"
        return
    info = ExecutionInfo(domain=view.domain, workflow_id=view.workflow_id, run_id=view.run_id)
    try:
        if view.live is not None:  # the replay of an open run the cache holds: fed only the new events
            view.waiting.signals = view.live.awaited_signals(workflow_class, info, len(view.history or ()))
        else:
            view.waiting.signals = awaited_signals(workflow_class, view.history or [], info)
    except Exception as err:  # the code and the history may disagree: say so, show the rest
        view.waiting.signals_note = f"replaying it here failed ({type(err).__name__}: {err})"
