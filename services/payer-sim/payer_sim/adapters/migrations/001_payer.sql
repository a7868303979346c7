-- The simulated payer's side: enrolled members, their accumulators, every adjudication it made,
-- the lines it paid (for duplicate detection) and every remittance it sent (for 835 export).
CREATE SCHEMA IF NOT EXISTS payer;

CREATE TABLE payer.members (
    payer_id         text        NOT NULL,
    member_id        text        NOT NULL,
    plan_id          text        NOT NULL,
    effective_date   date,
    termination_date date,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payer_id, member_id)
);

CREATE TABLE payer.accumulators (
    payer_id                text    NOT NULL,
    member_id               text    NOT NULL,
    plan_year               integer NOT NULL,
    plan_id                 text    NOT NULL,
    deductible_met_cents    bigint  NOT NULL DEFAULT 0,
    out_of_pocket_met_cents bigint  NOT NULL DEFAULT 0,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payer_id, member_id, plan_year)
);

CREATE TABLE payer.adjudications (
    claim_event_id             uuid PRIMARY KEY,                 -- one answer per claim submission
    claim_id                   text        NOT NULL,
    payer_id                   text        NOT NULL,
    member_id                  text        NOT NULL,
    plan_year                  integer     NOT NULL,
    frequency_code             text        NOT NULL,
    answer_event_id            uuid,                             -- the remittance that answers it (none for a void)
    payer_claim_control_number text,
    claim_status_code          text,
    deductible_cents           bigint      NOT NULL DEFAULT 0,   -- what it added to the accumulators
    out_of_pocket_cents        bigint      NOT NULL DEFAULT 0,
    active                     boolean     NOT NULL,             -- false once reversed by a 7 or 8
    adjudicated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adjudications_active_claim_idx ON payer.adjudications (claim_id) WHERE active;

CREATE TABLE payer.adjudicated_lines (
    claim_event_id  uuid    NOT NULL REFERENCES payer.adjudications (claim_event_id),
    claim_id        text    NOT NULL,
    payer_id        text    NOT NULL,
    member_id       text    NOT NULL,
    service_date    date    NOT NULL,
    procedure_code  text    NOT NULL,
    modifiers       text    NOT NULL,
    billing_npi     text    NOT NULL,
    active          boolean NOT NULL
);
CREATE INDEX adjudicated_lines_member_idx ON payer.adjudicated_lines (payer_id, member_id, service_date) WHERE active;

CREATE TABLE payer.remittances (
    remittance_event_id uuid PRIMARY KEY,
    seq                 bigserial   NOT NULL,
    claim_event_id      uuid        NOT NULL REFERENCES payer.adjudications (claim_event_id),
    payer_id            text        NOT NULL,
    payee_npi           text        NOT NULL,
    adjudicated_on      date        NOT NULL,
    remittance          jsonb       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX remittances_claim_event_idx ON payer.remittances (claim_event_id);
CREATE INDEX remittances_export_idx ON payer.remittances (payer_id, adjudicated_on);

-- ISA13/GS06 of the 835s the payer writes: every interchange has a number of its own.
CREATE SEQUENCE payer.interchange_control_number MAXVALUE 999999999 CYCLE;
