-- The simulated payer's side: members' accumulators and every adjudication it made.
CREATE SCHEMA IF NOT EXISTS payer;

CREATE TABLE payer.accumulators (
    payer_id                text    NOT NULL,
    member_id               text    NOT NULL,
    plan_id                 text    NOT NULL,
    plan_year               integer NOT NULL,
    deductible_met_cents    bigint  NOT NULL DEFAULT 0,
    out_of_pocket_met_cents bigint  NOT NULL DEFAULT 0,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payer_id, member_id, plan_year)
);

CREATE TABLE payer.adjudications (
    claim_event_id             uuid PRIMARY KEY,             -- one adjudication per claim submission
    claim_id                   text        NOT NULL,
    payer_id                   text        NOT NULL,
    member_id                  text        NOT NULL,
    payer_claim_control_number text        NOT NULL UNIQUE,
    claim_status_code          text        NOT NULL,
    total_charge_cents         bigint      NOT NULL,
    paid_cents                 bigint      NOT NULL,
    patient_responsibility_cents bigint    NOT NULL,
    remittance                 jsonb       NOT NULL,
    adjudicated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adjudications_claim_idx ON payer.adjudications (claim_id);
