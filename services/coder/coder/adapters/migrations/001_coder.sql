-- The coder's record of every visit it has seen and what became of it.
CREATE SCHEMA IF NOT EXISTS coder;

CREATE TABLE coder.encounters (
    visit_id        text PRIMARY KEY,
    patient_id      text        NOT NULL,
    visit_event_id  uuid        NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('coded', 'review')),
    coder_version   text        NOT NULL,
    result          jsonb       NOT NULL,   -- the coded encounter or the review request
    received_at     timestamptz NOT NULL,
    coded_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX encounters_outcome_idx ON coder.encounters (outcome);
