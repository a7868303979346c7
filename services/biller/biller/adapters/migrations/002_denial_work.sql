-- What people did with denied claims (POST /claims/{claim_id}/denial-work), one row per action,
-- never changed: who, when, which action, why. The same action on the same submission of a
-- claim is one row (the event id follows from both).
CREATE TABLE biller.denial_work (
    work_event_id              uuid PRIMARY KEY,
    claim_id                   text        NOT NULL REFERENCES biller.claims (claim_id),
    claim_event_id             uuid        NOT NULL,          -- the submission that was worked
    action                     text        NOT NULL CHECK (action IN ('correct', 'write_off', 'appeal')),
    worked_by                  text        NOT NULL,
    reason                     text        NOT NULL,
    denied_cents               bigint      NOT NULL,
    written_off_cents          bigint      NOT NULL DEFAULT 0,
    replacement_claim_event_id uuid,
    worked_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX denial_work_claim_idx ON biller.denial_work (claim_id);

-- a denial a person worked leaves the queue as written off, or stays on it marked for appeal
ALTER TABLE biller.denials DROP CONSTRAINT denials_status_check;
ALTER TABLE biller.denials ADD CONSTRAINT denials_status_check
    CHECK (status IN ('open', 'corrected', 'closed', 'written_off', 'appealed'));
