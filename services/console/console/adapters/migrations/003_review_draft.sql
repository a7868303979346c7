-- The engine's draft on a review item: the codes it would have given, each with its evidence and
-- confidence (coding-review events carry it from this version on; older items have none).
ALTER TABLE console.review_queue ADD COLUMN IF NOT EXISTS draft jsonb NOT NULL DEFAULT '{}';
