-- What people did with denied claims, from the biller's `denial-work` topic: the denial queue
-- leaves out what was written off after the latest answer, marks what is under appeal, and a
-- write-off closes the claim's balance (A/R).
CREATE TABLE IF NOT EXISTS console.denial_work (
    event_id uuid PRIMARY KEY,
    claim_id text NOT NULL,
    at timestamptz NOT NULL,
    action text NOT NULL,
    worked_by text NOT NULL,
    reason text NOT NULL,
    denied_cents bigint NOT NULL,
    written_off_cents bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS denial_work_claim ON console.denial_work (claim_id, at);
