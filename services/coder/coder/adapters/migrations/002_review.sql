-- Review by people: who resolved an encounter the engine would not code alone, and when.
ALTER TABLE coder.encounters ADD COLUMN reviewed_by text;
ALTER TABLE coder.encounters ADD COLUMN reviewed_at timestamptz;
ALTER TABLE coder.encounters DROP CONSTRAINT encounters_outcome_check;
ALTER TABLE coder.encounters ADD CONSTRAINT encounters_outcome_check CHECK (outcome IN ('coded', 'review', 'reviewed'));
