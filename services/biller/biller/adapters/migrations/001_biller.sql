-- The billing ledger: what each coded encounter became, claims and their lines, every status
-- change, and every posted remittance. All of it can be rebuilt from the topics.
CREATE SCHEMA IF NOT EXISTS biller;

CREATE TABLE biller.encounters (
    visit_id         text PRIMARY KEY,
    patient_id       text        NOT NULL,
    coded_event_id   uuid        NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('claimed', 'rejected', 'self_pay', 'not_billable')),
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
    claim_event_id               uuid        NOT NULL,           -- the submission that stands
    claim                        jsonb       NOT NULL,           -- as last submitted (or as rejected)
    scrub_errors                 jsonb       NOT NULL DEFAULT '[]',
    corrections                  integer     NOT NULL DEFAULT 0, -- automatic corrections sent
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


-- Remittances that could not be posted: never dropped, kept here for a person.
CREATE TABLE biller.remittance_exceptions (
    remittance_event_id uuid PRIMARY KEY,
    patient_control_number text,
    reason              text        NOT NULL,
    remittance          jsonb       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- Every version of a claim that was sent: originals and the replacements the biller made.
CREATE TABLE biller.claim_submissions (
    claim_event_id uuid PRIMARY KEY,
    claim_id       text        NOT NULL REFERENCES biller.claims (claim_id),
    frequency_code text        NOT NULL,
    caused_by      uuid,                                    -- the remittance a correction answers
    claim          jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_submissions_caused_by_idx ON biller.claim_submissions (caused_by);

-- Denied lines and claims: the work queue (rcm denials), unless corrected automatically.
CREATE TABLE biller.denials (
    id                  bigserial PRIMARY KEY,
    claim_id            text        NOT NULL REFERENCES biller.claims (claim_id),
    line_control_number text,
    group_code          text        NOT NULL,
    carc                text        NOT NULL,
    rarc                text,
    amount_cents        bigint      NOT NULL,
    remittance_event_id uuid        NOT NULL,
    status              text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'corrected', 'closed')),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX denials_open_idx ON biller.denials (carc) WHERE status = 'open';
CREATE INDEX denials_claim_idx ON biller.denials (claim_id);

-- What each patient owes and why: self-pay charges and the payer's PR amounts, by kind.
CREATE TABLE biller.patient_ledger (
    id              bigserial PRIMARY KEY,
    patient_id      text        NOT NULL,
    visit_id        text        NOT NULL,
    claim_id        text,
    kind            text        NOT NULL CHECK (kind IN ('self_pay', 'deductible', 'coinsurance', 'copay', 'other')),
    amount_cents    bigint      NOT NULL,
    source_event_id uuid        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patient_ledger_patient_idx ON biller.patient_ledger (patient_id);

-- ISA13/GS06 of the 837 batch files `rcm export 837` writes.
CREATE SEQUENCE biller.interchange_control_number MAXVALUE 999999999 CYCLE;
