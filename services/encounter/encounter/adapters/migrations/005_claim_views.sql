-- FHIR Claim / ClaimResponse lookups (issue 12): a read model the visit-state agent feeds from the
-- `claims` and `remittances` topics it already consumes (the encounter reads no other service's
-- tables). What a sender may see of its own claims: lines, codes, amounts, the payer's
-- adjudication; no names or addresses (the events carry them; they are not kept here).
CREATE TABLE encounter.claim_views (
    claim_id     text        PRIMARY KEY,
    visit_id     text        NOT NULL,
    patient_id   text        NOT NULL,
    billing_npi  text        NOT NULL,   -- who may read it: the senders registered for this facility
    billing_tin  text        NOT NULL,
    claim        jsonb       NOT NULL,   -- domain/fhir_claim.claim_summary
    occurred_at  timestamptz NOT NULL    -- the latest version of a claim (a replacement, frequency 7) wins
);
CREATE INDEX claim_views_visit ON encounter.claim_views (visit_id);

CREATE TABLE encounter.claim_adjudications (
    claim_id     text        PRIMARY KEY,
    visit_id     text        NOT NULL,
    remittance   jsonb       NOT NULL,   -- domain/fhir_claim.remittance_summary (a reversal, CLP02 22, is not kept)
    occurred_at  timestamptz NOT NULL
);

-- The billing facility of each visit accepted from now on, so a sender reads only its facilities'
-- visits (GET /visits/{id} and the FHIR lookups). Visits accepted before have none: their claims'
-- billing provider stands in.
ALTER TABLE encounter.accepted_visits ADD COLUMN billing_npi text, ADD COLUMN billing_tin text;
