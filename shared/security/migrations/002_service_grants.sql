-- What each service's own Postgres role (shared/db_roles.py) may do in the schema `security`,
-- which no service owns: every service checks tokens (public keys, clients, people's roles) and
-- appends to the access log; only the issuers (the encounter's token endpoint, the console's
-- log-in) read private keys and password hashes; only the encounter books used assertions.
-- Client, user and key changes stay with the admin role (the rcm commands). The reporting role
-- reads the access log (rcm access-log).
GRANT USAGE ON SCHEMA security TO encounter, coder, biller, payer_sim, console, rcm_reporting;
GRANT SELECT (kid, public_jwk, created_at, retired_at) ON security.signing_keys
    TO encounter, coder, biller, payer_sim, console;
GRANT SELECT ON security.signing_keys TO encounter, console;
GRANT SELECT ON security.clients TO encounter, coder, biller, payer_sim, console;
GRANT SELECT (username, roles, created_at, revoked_at) ON security.users
    TO encounter, coder, biller, payer_sim, console;
GRANT SELECT ON security.users TO console;
GRANT SELECT, INSERT, DELETE ON security.used_assertions TO encounter;
GRANT SELECT, INSERT ON security.access_log TO encounter, coder, biller, payer_sim, console;
GRANT SELECT ON security.access_log TO rcm_reporting;
