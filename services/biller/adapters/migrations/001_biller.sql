-- The billing ledger: what each coded encounter became, claims and their lines, every status
-- change, and every posted remittance. All of it can be rebuilt from the topics.
CREATE SCHEMA IF NOT EXISTS biller;

CREATE TABLE biller.encounters (
    visit_id         text PRIMARY KEY,
    patient_id       text        NOT NULL,
    coded_event_id   uuid        NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('claimed', 'self_pay', 'not_billable')),
    problems         jsonb       NOT NULL DEFAULT '[]',       -- why it could not be billed
    received_at      timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE biller.claims (
    claim_id                     text PRIMARY KEY,           -- = patient control number (CLM01)
    visit_id                     text        NOT NULL REFERENCES biller.encounters (visit_id),
    patient_id                   text        NOT NULL,
    payer_id                     text        NOT NULL,
    frequency_code               text        NOT NULL DEFAULT '1',
    status                       text        NOT NULL,
    service_date                 date        NOT NULL,
    total_charge_cents           bigint      NOT NULL,
    allowed_cents                bigint      NOT NULL DEFAULT 0,
    paid_cents                   bigint      NOT NULL DEFAULT 0,
    patient_responsibility_cents bigint      NOT NULL DEFAULT 0,
    adjustment_cents             bigint      NOT NULL DEFAULT 0,
    payer_claim_control_number   text,
    claim_event_id               uuid        NOT NULL,
    claim                        jsonb       NOT NULL,
    received_at                  timestamptz NOT NULL,        -- visit entered the pipeline
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claims_visit_idx ON biller.claims (visit_id);
CREATE INDEX claims_status_idx ON biller.claims (status);

CREATE TABLE biller.claim_lines (
    claim_id            text    NOT NULL REFERENCES biller.claims (claim_id),
    line_number         integer NOT NULL,
    line_control_number text    NOT NULL UNIQUE,                -- REF*6R
    procedure_code      text    NOT NULL,
    modifiers           text[]  NOT NULL DEFAULT '{}',
    units               integer NOT NULL,
    charge_cents        bigint  NOT NULL,
    diagnosis_pointers  integer[] NOT NULL,
    allowed_cents       bigint  NOT NULL DEFAULT 0,
    paid_cents          bigint  NOT NULL DEFAULT 0,
    patient_cents       bigint  NOT NULL DEFAULT 0,
    adjustment_cents    bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (claim_id, line_number)
);

CREATE TABLE biller.claim_status_history (
    id              bigserial PRIMARY KEY,
    claim_id        text        NOT NULL REFERENCES biller.claims (claim_id),
    status          text        NOT NULL,
    reason          text,
    source_event_id uuid        NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_status_history_claim_idx ON biller.claim_status_history (claim_id);

CREATE TABLE biller.postings (
    remittance_event_id          uuid PRIMARY KEY,
    claim_id                     text        NOT NULL REFERENCES biller.claims (claim_id),
    payer_claim_control_number   text        NOT NULL,
    claim_status_code            text        NOT NULL,
    paid_cents                   bigint      NOT NULL,
    allowed_cents                bigint      NOT NULL,
    patient_responsibility_cents bigint      NOT NULL,
    deductible_cents             bigint      NOT NULL,
    coinsurance_cents            bigint      NOT NULL,
    copay_cents                  bigint      NOT NULL,
    adjustment_cents             bigint      NOT NULL,
    remittance                   jsonb       NOT NULL,
    posted_at                    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX postings_claim_idx ON biller.postings (claim_id);

CREATE TABLE biller.posting_adjustments (
    remittance_event_id uuid    NOT NULL REFERENCES biller.postings (remittance_event_id),
    line_control_number text,                                  -- NULL: claim level
    group_code          text    NOT NULL,
    carc                text    NOT NULL,
    amount_cents        bigint  NOT NULL
);
CREATE INDEX posting_adjustments_event_idx ON biller.posting_adjustments (remittance_event_id);

CREATE TABLE biller.patient_statements (
    visit_id     text PRIMARY KEY REFERENCES biller.encounters (visit_id),
    patient_id   text        NOT NULL,
    amount_cents bigint      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Remittances that could not be posted: never dropped, kept here for a person.
CREATE TABLE biller.remittance_exceptions (
    remittance_event_id uuid PRIMARY KEY,
    patient_control_number text,
    reason              text        NOT NULL,
    remittance          jsonb       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
