-- Where each visit stands, for its sender (GET /visits/{visit_id}): a projection the encounter's
-- visit-state agent keeps from the envelopes of coded-encounters, coding-review, claims,
-- remittances and the dead-letter topics. Ids and states only: no patient data.
CREATE TABLE encounter.visit_states (
    visit_id     text        PRIMARY KEY,
    state        text        NOT NULL,   -- in_review, coded, billed, paid, denied, failed
    rank         smallint    NOT NULL,   -- states only advance (domain/visit_state.py)
    reason       text,                   -- failed: who dead-lettered it and why (field paths or error kind)
    source_topic text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_states_failed ON encounter.visit_states (visit_id) WHERE state = 'failed';
