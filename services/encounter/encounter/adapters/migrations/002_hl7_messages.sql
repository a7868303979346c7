-- HL7 v2 messages by control id (MSH-10): a message sent again is acknowledged with the same ACK
-- and published once.
CREATE TABLE encounter.hl7_messages (
    control_id   text PRIMARY KEY,
    message_type text        NOT NULL,
    visit_ids    text[]      NOT NULL,
    ack          text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
