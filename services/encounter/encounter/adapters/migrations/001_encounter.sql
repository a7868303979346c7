-- Visits accepted at intake: a visit id is accepted once, whatever the upstream system resends.
CREATE SCHEMA IF NOT EXISTS encounter;

CREATE TABLE encounter.accepted_visits (
    visit_id     text PRIMARY KEY,
    patient_id   text        NOT NULL,
    event_id     uuid        NOT NULL,
    channel      text        NOT NULL,              -- json, fhir, hl7v2
    content_hash text        NOT NULL,
    received_at  timestamptz NOT NULL
);
