-- The console's read models, built only from the topics (CQRS projections). Every row is
-- written idempotently: a redelivered event changes nothing.
CREATE SCHEMA IF NOT EXISTS console;

CREATE TABLE IF NOT EXISTS console.encounters (
    visit_id text PRIMARY KEY,
    patient_id text NOT NULL,
    patient_name text NOT NULL,
    provider_npi text NOT NULL,
    provider_name text NOT NULL,
    payer_id text NOT NULL,
    service_date date NOT NULL,
    received_at timestamptz NOT NULL,
    review_requested_at timestamptz,
    coded_at timestamptz,
    coded_by text,
    coder_version text
);

CREATE TABLE IF NOT EXISTS console.review_queue (
    visit_id text PRIMARY KEY,
    requested_at timestamptz NOT NULL,
    coder_version text NOT NULL,
    reasons jsonb NOT NULL,
    visit jsonb NOT NULL,
    closed_at timestamptz
);

CREATE TABLE IF NOT EXISTS console.claims (
    claim_id text PRIMARY KEY,
    visit_id text NOT NULL,
    patient_id text NOT NULL,
    patient_name text NOT NULL,
    payer_id text NOT NULL,
    provider_npi text NOT NULL,
    provider_name text NOT NULL,
    service_date date NOT NULL,
    submitted_at timestamptz NOT NULL,
    frequency_code text NOT NULL,
    total_charge_cents bigint NOT NULL,
    resubmitted boolean NOT NULL DEFAULT false,
    x12_837 text
);
CREATE INDEX IF NOT EXISTS claims_visit ON console.claims (visit_id);
CREATE INDEX IF NOT EXISTS claims_patient ON console.claims (patient_id);

CREATE TABLE IF NOT EXISTS console.claim_lines (
    claim_id text NOT NULL REFERENCES console.claims ON DELETE CASCADE,
    line_number int NOT NULL,
    line_control_number text NOT NULL,
    procedure_code text NOT NULL,
    modifiers text[] NOT NULL,
    units int NOT NULL,
    charge_cents bigint NOT NULL,
    diagnosis_pointers int[] NOT NULL,
    PRIMARY KEY (claim_id, line_number)
);

CREATE TABLE IF NOT EXISTS console.claim_history (
    event_id uuid PRIMARY KEY,
    claim_id text NOT NULL,
    at timestamptz NOT NULL,
    status text NOT NULL,
    detail text NOT NULL
);
CREATE INDEX IF NOT EXISTS claim_history_claim ON console.claim_history (claim_id, at);

-- One row per remittance (a claim may be answered before its claim event is read: the claim's
-- standing is computed when read, so the order the two topics arrive in does not matter).
CREATE TABLE IF NOT EXISTS console.remittances (
    event_id uuid PRIMARY KEY,
    claim_id text NOT NULL,
    occurred_at timestamptz NOT NULL,
    adjudicated_on date NOT NULL,
    frequency_code text NOT NULL,
    claim_status_code text NOT NULL,
    status text NOT NULL,
    denied boolean NOT NULL,
    denial_carcs text[] NOT NULL,
    paid_cents bigint NOT NULL,
    contractual_cents bigint NOT NULL,
    written_off_cents bigint NOT NULL,
    patient_cents bigint NOT NULL,
    lines jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS remittances_claim ON console.remittances (claim_id, occurred_at);

CREATE TABLE IF NOT EXISTS console.adjustments (
    event_id uuid NOT NULL,
    n int NOT NULL,
    claim_id text NOT NULL,
    line_control_number text,
    grp text NOT NULL,
    carc text NOT NULL,
    rarc text,
    amount_cents bigint NOT NULL,
    adjudicated_on date NOT NULL,
    denial boolean NOT NULL,
    PRIMARY KEY (event_id, n)
);
CREATE INDEX IF NOT EXISTS adjustments_denials ON console.adjustments (claim_id) WHERE denial;

CREATE TABLE IF NOT EXISTS console.dead_letters (
    topic text NOT NULL,
    part int NOT NULL,
    "offset" bigint NOT NULL,
    error text NOT NULL,
    service text NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, part, "offset")
);
