-- Claim status asked of the payer (276) and its answers (277), newest last per claim.
CREATE TABLE biller.claim_status_answers (
    id                         bigserial PRIMARY KEY,
    claim_id                   text        NOT NULL REFERENCES biller.claims (claim_id),
    category                   text        NOT NULL,     -- STC01-1: F finalized, P pending, A acknowledged, D not found
    status_code                text        NOT NULL,     -- STC01-2
    entity                     text,
    paid_cents                 bigint,
    payer_claim_control_number text,
    reason                     text        NOT NULL,
    x12_276                    text        NOT NULL,
    x12_277                    text        NOT NULL,
    asked_at                   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_status_answers_claim_idx ON biller.claim_status_answers (claim_id, id);
