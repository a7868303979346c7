-- payer-sim has one name everywhere: its schema is payer_sim, like its package. 001 created it as
-- `payer`; the tables, indexes and the interchange number sequence move with the schema.
ALTER SCHEMA payer RENAME TO payer_sim;
