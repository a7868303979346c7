"""The console's pages: server-rendered (Jinja2) with htmx for the checks made while typing.
Reads only the console's own tables; changes go through the owning service's API. Nothing here
logs a request value: they hold patient data."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import faust
import jinja2
from faust.web import Request, Response, View

from console import bootstrap
from console.adapters import queries, service_api
from console.domain.coding_form import MAX_DIAGNOSES, MAX_LINES, description, read_form
from console.domain.denial_form import read_denial_form
from console.domain.kpis import AGING_BUCKETS
from console.entrypoints import charts
from console.entrypoints.format import FIGURES, figure, money
from console.service_layer import reports

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent.parent
STATIC = {"htmx.min.js": "application/javascript", "console.css": "text/css"}


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE / "templates"), autoescape=True)
    env.filters.update(money=money, figure=figure, quote=lambda s: quote(str(s), safe=""))
    env.globals.update(FIGURES=FIGURES, BUCKETS=[b for b, _, _ in AGING_BUCKETS], host=bootstrap.bind_host())
    return env


def render(view: View, name: str, http_status: int = 200, **values: Any) -> Response:
    return view.html(templates().get_template(name).render(**values), status=http_status)


def age(since: datetime) -> str:
    hours = (datetime.now(UTC) - since).total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} d"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


async def _conn_do(fn: Any, *args: Any) -> Any:
    pool = await bootstrap.database.pool()
    async with pool.acquire() as conn:
        return await fn(conn, *args)


def register(app: faust.App) -> None:
    @app.page("/")
    class Dashboard(View):
        async def get(self, request: Request) -> Response:
            by = request.query.get("by") if request.query.get("by") in ("payer", "provider") else None
            since, until = reports.period(_day(request.query.get("from")), _day(request.query.get("to")),
                                          datetime.now(UTC).date())  # fmt: skip
            report = await _conn_do(reports.kpi_report, since, until, by)
            series = await _conn_do(reports.daily_series, since, until, by)
            plots = [
                charts.line_chart(label, {g: [(d, v[key]) for d, v in s] for g, s in series.items()}, kind == "percent")
                for key, label, kind in FIGURES
                if key in ("clean_claim_rate", "initial_denial_rate", "net_collection_rate", "auto_code_rate",
                           "charge_lag_days_mean")
            ]  # fmt: skip
            return render(self, "dashboard.html", report=report, by=by, plots=plots, page="dashboard",
                          dead=await _conn_do(queries.dead_letter_counts))  # fmt: skip

    @app.page("/review-queue")
    class ReviewQueue(View):
        async def get(self, request: Request) -> Response:
            items = await _conn_do(queries.review_queue)
            return render(self, "review_queue.html", items=items, age=age, page="review")

    @app.page("/review-queue/{visit_id}")
    class ReviewItem(View):
        async def get(self, request: Request, visit_id: str) -> Response:
            item = await _conn_do(queries.review_item, visit_id)
            if item is None:
                return render(self, "missing.html", http_status=404, what="review item", page="review")
            return self._page(item, {}, None, [])

        def _page(self, item: dict[str, Any], form: dict[str, str], checked: Any, errors: list[str]) -> Response:
            visit = item["visit"]
            if not form:  # start from what the visit sent, in its order
                codes = [d["code"] for d in visit.get("diagnoses", []) if d.get("code")]
                form = {f"dx{n + 1}": c for n, c in enumerate(codes[:MAX_DIAGNOSES])}
                procs = [p for p in visit.get("procedures", []) if p.get("code")]
                for n, p in enumerate(procs[:MAX_LINES]):
                    form |= {f"cpt{n + 1}": p["code"], f"mod{n + 1}": " ".join(p.get("modifiers", [])),
                             f"units{n + 1}": str(p.get("units", 1)), f"ptr{n + 1}": "1"}  # fmt: skip
            return render(self, "review_item.html", item=item, visit=visit, form=form, checked=checked,
                          errors=errors, age=age, describe=description, max_dx=MAX_DIAGNOSES, max_lines=MAX_LINES,
                          page="review")  # fmt: skip

        async def post(self, request: Request, visit_id: str) -> Response:
            item = await _conn_do(queries.review_item, visit_id)
            if item is None or item["closed_at"] is not None:
                return render(self, "missing.html", http_status=404, what="open review item", page="review")
            form = {k: str(v) for k, v in (await request.post()).items()}
            checked = read_form(form)
            if not checked.ok:
                return self._page(item, form, checked, ["Correct the fields marked below."])
            answer = await service_api.submit_review(bootstrap.coder_url(), visit_id, checked.decision())
            if answer.status != 202:
                log.warning("review submission refused: HTTP %s", answer.status)
                return self._page(item, form, checked, answer.errors or [f"the coder answered {answer.status}"])
            nxt = await _conn_do(queries.next_review, visit_id)
            location = f"/review-queue/{quote(nxt, safe='')}?done={quote(visit_id, safe='')}" if nxt else (
                f"/review-queue?done={quote(visit_id, safe='')}")  # fmt: skip
            return self.html("", status=303, headers={"Location": location})

    @app.page("/review-queue/{visit_id}/check")
    class ReviewCheck(View):
        """The form's problems as the coder types (htmx swaps this fragment in)."""

        async def post(self, request: Request, visit_id: str) -> Response:
            form = {k: str(v) for k, v in (await request.post()).items()}
            checked = read_form(form)
            return render(self, "check.html", checked=checked, describe=description)

    @app.page("/denials")
    class Denials(View):
        async def get(self, request: Request) -> Response:
            carc = request.query.get("carc") or None
            payer = request.query.get("payer") or None
            order = request.query.get("order", "age")
            rows = await _conn_do(queries.denials, carc, payer, order)
            today = datetime.now(UTC).date()
            return render(self, "denials.html", rows=rows, carc=carc or "", payer=payer or "", order=order,
                          today=today, page="denials")  # fmt: skip

    @app.page("/claims/{claim_id}")
    class Claim(View):
        async def get(self, request: Request, claim_id: str) -> Response:
            found = await _conn_do(queries.claim, claim_id)
            if found is None:
                return render(self, "missing.html", http_status=404, what="claim", page="search")
            done = request.query.get("done")
            return render(self, "claim.html", page="search", form={}, errors={}, refused=[],
                          done=done if done in ("correct", "write_off", "appeal") else None, **found)  # fmt: skip

        async def post(self, request: Request, claim_id: str) -> Response:
            """A biller works the claim's denial: sent to the biller's API, which decides."""
            found = await _conn_do(queries.claim, claim_id)
            if found is None:
                return render(self, "missing.html", http_status=404, what="claim", page="search")
            form = {k: str(v) for k, v in (await request.post()).items()}
            read = read_denial_form(form, found["lines"])
            refused: list[str] = []
            if read.ok:
                answer = await service_api.work_denial(bootstrap.biller_url(), claim_id, read.request)
                if answer.status == 202:
                    location = f"/claims/{quote(claim_id, safe='')}?done={read.request['action']}"
                    return self.html("", status=303, headers={"Location": location})
                log.warning("denial work refused: HTTP %s", answer.status)
                refused = answer.errors or [f"the biller answered {answer.status}"]
            return render(self, "claim.html", http_status=422, page="search", form=form, errors=read.errors,
                          refused=refused, done=None, **found)  # fmt: skip

    @app.page("/search")
    class Search(View):
        async def get(self, request: Request) -> Response:
            text = request.query.get("q", "")
            status = request.query.get("status") or None
            rows = await _conn_do(queries.search, text, status) if text or status else []
            return render(self, "search.html", rows=rows, q=text, status=status or "", page="search")

    @app.page("/balances")
    class Balances(View):
        async def get(self, request: Request) -> Response:
            rows = await _conn_do(queries.balances, request.query.get("patient") or None)
            patients: dict[str, dict[str, Any]] = {}
            for r in rows:
                p = patients.setdefault(r["patient_id"], {"name": r["patient_name"], "claims": [], "total": 0})
                p["claims"].append(r)
                p["total"] += r["patient_cents"]
            return render(self, "balances.html", patients=patients, today=datetime.now(UTC).date(), page="balances")

    @app.page("/static/{name}")
    class Static(View):
        async def get(self, request: Request, name: str) -> Response:
            if name not in STATIC:
                return self.text("not found", status=404)
            body = (PACKAGE / "static" / name).read_bytes()
            return self.bytes(body, content_type=STATIC[name], headers={"Cache-Control": "max-age=3600"})
