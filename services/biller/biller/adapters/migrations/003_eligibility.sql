-- Eligibility asked before billing (270/271): every answer kept with its visit, and the work
-- queue of visits whose member was not eligible (no claim built for them).
ALTER TABLE biller.encounters DROP CONSTRAINT encounters_outcome_check;
ALTER TABLE biller.encounters ADD CONSTRAINT encounters_outcome_check
    CHECK (outcome IN ('claimed', 'rejected', 'self_pay', 'not_billable', 'ineligible'));

CREATE TABLE biller.eligibility (
    event_id                   uuid PRIMARY KEY,
    visit_id                   text        NOT NULL,
    payer_id                   text        NOT NULL,
    member_id                  text        NOT NULL,
    status                     text        NOT NULL CHECK (status IN ('active', 'inactive', 'rejected', 'unverified')),
    plan_id                    text,
    copay_cents                bigint,
    deductible_remaining_cents bigint,
    rejection_code             text,                        -- AAA03
    reason                     text        NOT NULL,
    answer                     jsonb       NOT NULL,        -- the event, with the 270 and 271 texts
    checked_at                 timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eligibility_visit_idx ON biller.eligibility (visit_id);

CREATE TABLE biller.eligibility_queue (
    visit_id   text PRIMARY KEY REFERENCES biller.encounters (visit_id),
    payer_id   text        NOT NULL,
    status     text        NOT NULL,                        -- the answer: inactive or rejected
    reason     text        NOT NULL,
    state      text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    created_at timestamptz NOT NULL DEFAULT now()
);
