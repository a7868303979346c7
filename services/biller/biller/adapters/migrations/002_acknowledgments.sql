-- The payer's front-end answers (999 and 277CA), and the claims they turned back.
CREATE TABLE biller.acknowledgments (
    acknowledgment_event_id    uuid PRIMARY KEY,
    claim_id                   text        NOT NULL REFERENCES biller.claims (claim_id),
    claim_event_id             uuid        NOT NULL,        -- the submission acknowledged
    functional_ack             text        NOT NULL CHECK (functional_ack IN ('A', 'E', 'R')),  -- 999 IK501
    status_category            text,                        -- 277CA STC01-1 (none when the 999 rejected)
    status_code                text,                        -- 277CA STC01-2
    accepted                   boolean     NOT NULL,        -- into adjudication
    payer_claim_control_number text,                        -- 277CA REF*1K
    reason                     text,                        -- why rejected: codes, segments, elements; no value
    acknowledgment             jsonb       NOT NULL,
    received_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX acknowledgments_claim_idx ON biller.acknowledgments (claim_id);

-- The rejected work queue (rcm rejections): claims the payer's front end turned back, to fix and send again.
CREATE TABLE biller.front_end_rejections (
    id                      bigserial PRIMARY KEY,
    claim_id                text        NOT NULL REFERENCES biller.claims (claim_id),
    claim_event_id          uuid        NOT NULL,
    acknowledgment_event_id uuid        NOT NULL UNIQUE REFERENCES biller.acknowledgments (acknowledgment_event_id),
    source                  text        NOT NULL CHECK (source IN ('999', '277CA')),
    reason                  text        NOT NULL,
    status                  text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resubmitted', 'closed')),
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX front_end_rejections_open_idx ON biller.front_end_rejections (claim_id) WHERE status = 'open';
