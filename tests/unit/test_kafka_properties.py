"""deploy/kafka/server.properties is a template: every @NAME@ in it is filled in by both the
local start script and the compose one (a value left as @NAME@ stops Kafka at start-up)."""

import re
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_every_placeholder_of_the_broker_template_is_filled_in_by_both_start_scripts() -> None:
    names = set(re.findall(r"@([A-Z_]+)@", (DEPLOY / "kafka/server.properties").read_text()))
    assert {"BROKER_SESSION_MS", "MIN_ISR", "REPLICATION"} <= names
    for script in ("local/infra.sh", "kafka/compose-start.sh"):
        text = (DEPLOY / script).read_text()
        missing = sorted(n for n in names if not re.search(rf"s#(?:[^#]*)@{n}@", text))
        assert not missing, f"{script} leaves {missing} unfilled"
