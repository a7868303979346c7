-- The front end's answers (999 and 277CA), one per claim submission: sent again as stored when
-- a submission is redelivered, and written out by `rcm export 999|277ca`.
CREATE TABLE payer_sim.acknowledgments (
    claim_event_id   uuid PRIMARY KEY,
    claim_id         text        NOT NULL,
    payer_id         text        NOT NULL,
    functional_ack   text        NOT NULL CHECK (functional_ack IN ('A', 'E', 'R')),
    accepted         boolean     NOT NULL,             -- into adjudication
    status_category  text,                             -- 277CA STC01-1 (none when the 999 rejected)
    acknowledgment   jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX acknowledgments_claim_idx ON payer_sim.acknowledgments (claim_id);
