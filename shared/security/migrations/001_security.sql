-- Identities, the token issuer's keys and the access log (docs/security.md). The schema belongs to
-- shared/security: every service reads identities and appends to the access log through it.
CREATE SCHEMA IF NOT EXISTS security;

-- The access-token issuer's signing keys. A retired key signs nothing new but still verifies the
-- tokens it signed until they expire (rotation without logging everyone out).
CREATE TABLE security.signing_keys (
    kid         text        PRIMARY KEY,
    private_pem text        NOT NULL,
    public_jwk  jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

-- Systems (SMART Backend Services clients): a registered public key, the scopes they may ask for,
-- the facilities (billing NPI / TIN) they may submit for, and the HL7 sending facility (MSH-4) they are.
CREATE TABLE security.clients (
    client_id            text        PRIMARY KEY,
    name                 text        NOT NULL,
    public_jwk           jsonb       NOT NULL,
    scopes               text[]      NOT NULL,
    facilities           text[]      NOT NULL DEFAULT '{}',
    hl7_sending_facility text,
    rate_per_second      real        NOT NULL DEFAULT 50,
    burst                integer     NOT NULL DEFAULT 100,
    created_at           timestamptz NOT NULL DEFAULT now(),
    revoked_at           timestamptz
);

-- People: a password stored as an argon2id hash, and roles.
CREATE TABLE security.users (
    username      text        PRIMARY KEY,
    password_hash text        NOT NULL,
    roles         text[]      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

-- Client assertions already used (RFC 7523: a jti is accepted once while the assertion is valid).
CREATE TABLE security.used_assertions (
    client_id  text        NOT NULL,
    jti        text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, jti)
);

-- Who read or changed patient data, when, from where, what, which patients (FHIR AuditEvent
-- shape, docs/security.md). Append-only; each record's hash covers the previous record's hash.
CREATE TABLE security.access_log (
    seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    who         text        NOT NULL,
    who_kind    text        NOT NULL,
    roles       text[]      NOT NULL,
    source      text        NOT NULL,
    service     text        NOT NULL,
    action      text        NOT NULL,
    what        text        NOT NULL,
    outcome     text        NOT NULL,
    patients    text[]      NOT NULL,
    detail      jsonb       NOT NULL,
    prev_hash   text        NOT NULL,
    hash        text        NOT NULL
);
CREATE INDEX access_log_who ON security.access_log (who, seq);
CREATE INDEX access_log_patients ON security.access_log USING gin (patients);

CREATE FUNCTION security.access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'security.access_log is append-only (% refused)', TG_OP;
END
$$;
CREATE TRIGGER access_log_no_update_or_delete BEFORE UPDATE OR DELETE ON security.access_log
    FOR EACH ROW EXECUTE FUNCTION security.access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON security.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION security.access_log_append_only();
