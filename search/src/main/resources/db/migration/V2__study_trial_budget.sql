-- The study's trial budget, so that 'caviar worker' without --trials runs until the budget that
-- 'caviar tune --trials N' (or the last worker given --trials) set is spent. NULL: never set.
ALTER TABLE caviar_study ADD COLUMN max_trials INT CHECK (max_trials >= 1);
