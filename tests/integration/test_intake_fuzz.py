"""Intake fuzzing (issue 12): hostile values over all four channels — JSON, FHIR and HL7 v2 over
HTTP, HL7 v2 over MLLP — against the running encounter. Bounded in time: FUZZ_EXAMPLES examples
per test (default 30), and no new input after FUZZ_SECONDS (default 50) shared by the five tests;
`docs/security.md` reports a longer run.

Asserted: no 5xx; no hang (every answer within the client timeout); an MLLP connection survives
every message; nothing from a rejected request is published; every accepted visit is published
exactly once and answers GET /visits/{id}; no value the fuzz sent as patient data (names, member
ids, birth dates, the longer hostile values) appears in a service log or the Postgres log written
during the run. The figures go to .run/intake-fuzz.json.

Hostile text may hold lone surrogates (hypothesis' `characters()` draws them): they are sent the
way a sender's encoder would put them on the wire — JSON as `\\udXXX` escapes, HL7 as the bytes
"surrogatepass" gives (not UTF-8) — rather than failing in the harness's own encoder."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import VisitFactory
from shared import tls
from shared.schemas import VISITS, Visit
from shared.settings import get_settings
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, intake_url, read_since, visit_ids_of, web
from tests.samples.fhir import bundle
from tests.samples.hl7 import message

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
BUDGET_SECONDS = float(os.environ.get("FUZZ_SECONDS", "50"))
CLIENT_TIMEOUT = 10.0
START, END = b"\x0b", b"\x1c\x0d"
RUN_DIR = Path(os.environ.get("RCM_RUN_DIR", ".run"))
FIGURES_FILE = RUN_DIR / "intake-fuzz.json"
LOGS = [*sorted((RUN_DIR / "logs").glob("*.log")), RUN_DIR / "postgres" / "postgres.log"]

HOSTILE_PIECES = ["\x00", "\x01", "\x0b", "\x1c", "\x7f", "\x85", "\r", "\n", "\t", "|", "^", "~", "\\", "&", "*",
                  ":", "é", "Ñ", "ß", "ŉ", "😀", "\u200b", "\u202e", "\ufeff", "\ue000", "\uffff", "'", '"', "<", "%",
                  "Δ", "李", "\u0301", " "]  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(HOSTILE_PIECES) | st.characters(), max_size=40).map("".join),
    st.sampled_from(["", " ", "***", "José", "Ñúñez", "O'Brien", "Δημήτρης", "李小龍", "x" * 300, "\x00", "ßßß" * 12]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
VISIT_FIELDS = [("patient", "first_name"), ("patient", "last_name"), ("patient", "address", "line1"),
                ("patient", "address", "city"), ("coverage", "member_id"), ("coverage", "payer_id"),
                ("coverage", "plan_id"), ("provider", "last_name"), ("facility", "name"), ("notes",),
                ("diagnoses", 0, "text"), ("patient", "id"), ("service_date",), ("procedures",)]  # fmt: skip


class Run:
    """What the fuzzing saw, across channels."""

    def __init__(self) -> None:
        self.token = "FZ" + os.urandom(3).hex().upper()
        self.n = 0
        self.kinds: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.server_errors: list[str] = []
        self.hangs: list[str] = []
        self.mllp_drops = 0
        self.accepted: list[str] = []
        self.rejected: list[str] = []
        self.invisible: list[str] = []
        self.started = time.monotonic()
        self.offsets: dict[int, int] = asyncio.run(end_offsets(VISITS))
        self.factory = VisitFactory(seed=int.from_bytes(os.urandom(4), "big"))
        self.mllp: socket.socket | None = None
        self.test_started: dict[str, float] = {}
        self.log_sizes = {path: _size(path) for path in LOGS}  # what was logged before the run is not ours
        self.sent: set[str] = set()  # patient values sent: none may reach a log

    def sending(self, visit: Visit, value: Any = None) -> None:
        """Remember the patient values a request carries, to look for them in the logs afterwards."""
        p, c = visit.patient, visit.coverage
        self.sent.update(
            v for v in (p.first_name, p.last_name, p.birth_date.isoformat(), c.member_id if c else None)
            if v is not None and len(v) >= 5
        )  # fmt: skip
        if isinstance(value, str) and len(re.findall(r"\w", value)) >= 6:  # short or symbol-only values match anything
            self.sent.add(value.strip())

    def out_of_time(self, test: str) -> bool:
        """Each of the five fuzz tests gets a fifth of the time budget, from its first input."""
        first = self.test_started.setdefault(test, time.monotonic())
        return time.monotonic() - first > BUDGET_SECONDS / 5

    def visit(self) -> Visit:
        self.n += 1
        visit = self.factory.visit(self.n)
        visit.visit_id = f"V-{self.token}-{self.n:05d}"
        visit.patient.id = f"P-{self.token}-{self.n:05d}"
        return visit

    def answered(self, channel: str, kind: str, status: int, visit_id: str | None, accepted: bool) -> None:
        self.kinds[f"{channel}:{kind}"] += 1
        self.statuses[f"{channel}:{status}"] += 1
        if status >= 500 and status != 503:  # 503 is "busy / Postgres away, retry", never an input's fault
            self.server_errors.append(f"{channel}:{kind}:{status}")
        if visit_id is not None:
            (self.accepted if accepted else self.rejected).append(visit_id)
        if accepted and visit_id is not None:
            seen = web().get(auth=SENDER, url=intake_url(f"/visits/{visit_id}"), timeout=CLIENT_TIMEOUT)
            if seen.status_code != 200:
                self.invisible.append(visit_id)


@pytest.fixture(scope="module")
def run() -> Run:
    return Run()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def logged_since(run: Run) -> str:
    """What every service and Postgres logged since the run started."""
    text = []
    for path in LOGS:
        try:
            with path.open("rb") as f:
                f.seek(run.log_sizes.get(path, 0))
                text.append(f.read().decode(errors="replace"))
        except OSError:
            continue
    return "\n".join(text)


def dumps(doc: Any) -> bytes:
    """JSON as a sender's encoder writes it: orjson refuses lone surrogates (a TypeError, the
    flaky failure once seen in test_fuzz_json), the standard library escapes them."""
    try:
        return orjson.dumps(doc)
    except orjson.JSONEncodeError:
        return json.dumps(doc).encode()


def hl7_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def post(run: Run, channel: str, kind: str, path: str, body: bytes) -> httpx.Response | None:
    try:
        return web().post(auth=SENDER, url=intake_url(path), content=body, timeout=CLIENT_TIMEOUT)
    except httpx.TimeoutException:
        run.hangs.append(f"{channel}:{kind}")
        return None


def set_path(doc: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Put value at path, making the containers on the way (a self-pay visit gets a coverage)."""
    for part in path[:-1]:
        if isinstance(part, int):
            if not doc:
                doc.append({})
            doc = doc[0]
        else:
            if not isinstance(doc.get(part), dict | list):
                doc[part] = {}
            doc = doc[part]
    doc[path[-1]] = value


FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=False
)


@FUZZ
@given(field=st.sampled_from(VISIT_FIELDS), value=st.one_of(hostile_text, json_values), many=st.booleans())
def test_fuzz_json(run: Run, field: tuple[str | int, ...], value: Any, many: bool) -> None:
    if run.out_of_time("test_fuzz_json"):
        return
    visit = run.visit()
    doc = orjson.loads(visit.model_dump_json())
    set_path(doc, field, value)
    run.sending(visit, value)
    kind = "field-text" if isinstance(value, str) else "field-json"
    answer = post(run, "json", kind, "/visits", dumps([doc] if many else doc))
    if answer is not None:
        ok = answer.status_code == 202 and visit.visit_id in answer.json()["accepted"]
        run.answered("json", kind, answer.status_code, visit.visit_id, ok)


@FUZZ
@given(body=st.one_of(json_values.map(dumps), st.binary(max_size=300)))
def test_fuzz_json_bodies(run: Run, body: bytes) -> None:
    if run.out_of_time("test_fuzz_json_bodies"):
        return
    answer = post(run, "json", "body", "/visits", body)
    if answer is not None:
        run.answered("json", "body", answer.status_code, None, False)


def _fhir_mutations() -> st.SearchStrategy[tuple[str, Callable[[dict[str, Any]], None]]]:
    def patient_name(value: str) -> tuple[str, Callable[[dict[str, Any]], None]]:
        return "patient-name", lambda b: b["entry"][0]["resource"]["name"][0].update(family=value)

    def payer_name(value: str) -> tuple[str, Callable[[dict[str, Any]], None]]:
        def change(b: dict[str, Any]) -> None:
            for e in b["entry"]:
                if (
                    e["resource"]["resourceType"] == "Organization"
                    and "identifier" in e["resource"]
                    and any(i["system"] == "urn:rcmflow:payer-id" for i in e["resource"]["identifier"])
                ):
                    e["resource"]["name"], e["resource"]["identifier"] = value, []

        return "payer-name", change

    def resource_type(value: Any, at: int) -> tuple[str, Callable[[dict[str, Any]], None]]:
        return "resourceType", lambda b: b["entry"][at % len(b["entry"])]["resource"].update(resourceType=value)

    def anywhere(value: Any, at: int) -> tuple[str, Callable[[dict[str, Any]], None]]:
        return "entry", lambda b: b["entry"].__setitem__(at % len(b["entry"]), value)

    return st.one_of(
        hostile_text.map(patient_name),
        hostile_text.map(payer_name),
        st.tuples(json_values, st.integers(0, 20)).map(lambda t: resource_type(*t)),
        st.tuples(json_values, st.integers(0, 20)).map(lambda t: anywhere(*t)),
    )


@FUZZ
@given(mutation=_fhir_mutations())
def test_fuzz_fhir(run: Run, mutation: tuple[str, Callable[[dict[str, Any]], None]]) -> None:
    if run.out_of_time("test_fuzz_fhir"):
        return
    kind, change = mutation
    visit = run.visit()
    doc = bundle([visit], kind="collection")
    change(doc)
    run.sending(visit)
    answer = post(run, "fhir", kind, "/fhir", dumps(doc))
    if answer is not None:
        ok = answer.status_code == 202 and visit.visit_id in answer.json().get("accepted", [])
        run.answered("fhir", kind, answer.status_code, visit.visit_id, ok)


HL7_PLACES = ["PATIENT_FAMILY", "PATIENT_GIVEN", "CONTROL_ID", "PAYER_NAME", "CITY_NAME"]


def hl7_text(run: Run, place: str, value: str) -> tuple[str, Visit, str]:
    from tests.integration.test_fhir_hl7_intake import hl7_ready

    visit = hl7_ready(run.visit())
    visit.patient.last_name, visit.patient.first_name = "PATIENTFAMILY", "PATIENTGIVEN"
    if visit.patient.address is not None:
        visit.patient.address.city = "CITYNAME"
    control = f"{run.token}{run.n:05d}"
    text = message(visit, control)
    if place == "PAYER_NAME" and visit.coverage is None:
        place = "PATIENT_GIVEN"  # self-pay: no IN1 to put a payer name in
    if place == "PAYER_NAME" and visit.coverage is not None:  # IN1-4, the payer's name, instead of IN1-3
        payer = visit.coverage.payer_id
        text = text.replace(f"|{payer}|{payer}|", "||PAYERNAME|")
    placeholder = {"PATIENT_FAMILY": "PATIENTFAMILY", "PATIENT_GIVEN": "PATIENTGIVEN", "CONTROL_ID": control,
                   "PAYER_NAME": "PAYERNAME", "CITY_NAME": "CITYNAME"}[place]  # fmt: skip
    if place == "CONTROL_ID":  # kept unique: a control id seen before is rightly answered with its first ACK
        value = control + value
    run.sending(visit, value)
    return text.replace(placeholder, value), visit, place


@FUZZ
@given(place=st.sampled_from(HL7_PLACES), value=hostile_text)
def test_fuzz_hl7_http(run: Run, place: str, value: str) -> None:
    if run.out_of_time("test_fuzz_hl7_http"):
        return
    text, visit, place = hl7_text(run, place, value)
    answer = post(run, "hl7v2", place.lower(), "/hl7v2", hl7_bytes(text))
    if answer is not None:
        ok = answer.status_code == 200 and "MSA|AA|" in answer.text
        run.answered("hl7v2", place.lower(), answer.status_code, visit.visit_id, ok)


def unframed(data: bytes) -> bytes:
    """Content without MLLP's start and end bytes: inside a frame they end it early, and the
    listener then rightly answers twice (broken frames are tested in test_fhir_hl7_intake.py)."""
    return data.replace(START, b"").replace(b"\x1c", b"")


def mllp_exchange(run: Run, payload: bytes) -> str | None:
    s = get_settings()
    for _attempt in range(2):
        if run.mllp is None:
            plain = socket.create_connection((s.web_host, s.mllp_port), timeout=CLIENT_TIMEOUT)
            secure = None if tls.http_enabled_insecure() else tls.client_context()  # MLLP over TLS
            run.mllp = secure.wrap_socket(plain, server_hostname=s.web_host) if secure else plain
        try:
            run.mllp.sendall(payload)
            data = b""
            while not data.endswith(END):
                chunk = run.mllp.recv(65536)
                if not chunk:
                    raise ConnectionError("closed by the listener")
                data += chunk
            return data[1:-2].decode(errors="replace")
        except TimeoutError:
            run.mllp.close()
            run.mllp = None
            return None
        except OSError:
            run.mllp_drops += 1
            run.mllp.close()
            run.mllp = None
    return None


@FUZZ
@given(place=st.sampled_from(HL7_PLACES), value=hostile_text, raw=st.none() | st.binary(max_size=200))
def test_fuzz_mllp(run: Run, place: str, value: str, raw: bytes | None) -> None:
    if run.out_of_time("test_fuzz_mllp"):
        return
    if raw is not None:  # bytes inside a frame: whatever they are, an ACK comes back
        kind, visit_id = "raw-frame", None
        reply = mllp_exchange(run, START + unframed(raw) + END)
    else:
        text, visit, place = hl7_text(run, place, value)
        kind, visit_id = place.lower(), visit.visit_id
        reply = mllp_exchange(run, START + unframed(hl7_bytes(text)) + END)
    if reply is None:
        run.hangs.append(f"mllp:{kind}")
        return
    code = reply.split("MSA|", 1)[1][:2] if "MSA|" in reply else "none"
    run.kinds[f"mllp:{kind}"] += 1
    run.statuses[f"mllp:{code}"] += 1
    if code == "none":
        run.server_errors.append(f"mllp:{kind}:no MSA")
    control = f"{run.token}{visit_id.rsplit('-', 1)[1]}" if visit_id else ""  # as hl7_text made it
    if code == "AA" and kind != "control_id" and f"MSA|AA|{control}\r" not in reply + "\r":
        run.server_errors.append(f"mllp:{kind}:an AA for another message")
    if visit_id is not None:
        (run.accepted if code == "AA" else run.rejected).append(visit_id)
        if (
            code == "AA"
            and web().get(auth=SENDER, url=intake_url(f"/visits/{visit_id}"), timeout=CLIENT_TIMEOUT).status_code != 200
        ):
            run.invisible.append(visit_id)


def encounter_rss_mb() -> float | None:
    """Resident memory of the local encounter and its parsing process, when `make up` started it."""
    import psutil

    pid_file = Path(os.environ.get("RCM_RUN_DIR", ".run")) / "pids" / "svc-encounter.pid"
    try:
        process = psutil.Process(int(pid_file.read_text()))
        return round(sum(p.memory_info().rss for p in [process, *process.children()]) / 2**20, 1)
    except (OSError, ValueError, psutil.Error):
        return None


def test_fuzz_outcome(run: Run) -> None:
    """After every channel: nothing published from a rejected request; every accepted visit once."""
    if run.mllp is not None:
        run.mllp.close()
    deadline = time.monotonic() + 30
    while True:
        published = Counter(visit_ids_of(asyncio.run(read_since(VISITS, run.offsets))))
        missing = [v for v in run.accepted if published[v] == 0]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    published_rejected = [v for v in run.rejected if published[v]]
    twice = [v for v in run.accepted if published[v] > 1]
    logged = logged_since(run)
    in_logs = sorted(v for v in run.sent if v in logged)
    figures = {
        "inputs": sum(run.kinds.values()),
        "inputs_by_kind": dict(sorted(run.kinds.items())),
        "answers": dict(sorted(run.statuses.items())),
        "server_errors": len(run.server_errors),
        "hangs": len(run.hangs),
        "mllp_connections_dropped": run.mllp_drops,
        "accepted": len(run.accepted),
        "rejected_with_a_visit_id": len(run.rejected),
        "published_from_rejected": len(published_rejected),
        "accepted_not_published": len(missing),
        "published_twice": len(twice),
        "accepted_not_visible": len(run.invisible),
        "patient_values_sent": len(run.sent),
        "patient_values_in_logs": len(in_logs),
        "log_bytes_read": len(logged),
        "seconds": round(time.monotonic() - run.started, 1),
        "encounter_rss_mb": encounter_rss_mb(),
    }
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    assert run.kinds, "no input was tried"
    assert run.server_errors == [] and run.hangs == [] and run.mllp_drops == 0
    assert published_rejected == [] and missing == [] and twice == [] and run.invisible == []
    assert run.sent and not in_logs, f"{len(in_logs)} patient value(s) in the logs"  # counted, not quoted
