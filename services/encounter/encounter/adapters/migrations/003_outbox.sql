-- Transactional outbox: each accepted visit's event is written here in the same transaction as
-- its acceptance row, so a visit is recorded and its event is owed, or neither. The relay
-- publishes pending rows in order with the idempotent producer and marks them sent.
CREATE TABLE encounter.outbox (
    seq        bigserial   PRIMARY KEY,
    event_id   uuid        NOT NULL UNIQUE,
    topic      text        NOT NULL,
    key        bytea       NOT NULL,
    payload    bytea,                  -- the event; cleared once on the broker (the topic is the record)
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_pending ON encounter.outbox (seq) WHERE sent_at IS NULL;
