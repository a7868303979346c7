-- Coordination of benefits: each claim the biller sent to a later payer (secondary S, tertiary T)
-- after an earlier payer answered, linked to the visit's primary claim and to the answer that
-- caused it. One per primary claim and sequence (claim ids are derived from the primary's).
CREATE TABLE biller.cob_claims (
    claim_id         text PRIMARY KEY REFERENCES biller.claims (claim_id),
    primary_claim_id text        NOT NULL REFERENCES biller.claims (claim_id),
    prior_claim_id   text        NOT NULL REFERENCES biller.claims (claim_id),
    payer_sequence   text        NOT NULL CHECK (payer_sequence IN ('S', 'T')),
    caused_by        uuid        NOT NULL,                 -- the earlier payer's remittance
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cob_claims_primary_idx ON biller.cob_claims (primary_claim_id);

-- A rejected work queue item (277CA/999) closes when a corrected submission is accepted or the
-- claim is written off: who or what closed it, and when.
ALTER TABLE biller.front_end_rejections ADD COLUMN IF NOT EXISTS closed_at timestamptz;
ALTER TABLE biller.front_end_rejections ADD COLUMN IF NOT EXISTS closed_by text;
