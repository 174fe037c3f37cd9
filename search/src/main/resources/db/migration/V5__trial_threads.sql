-- The threads each trial's training ran on (1 in caviar mode, the machine's processors in panda
-- mode), written by its claim, so that `caviar train --from-study` trains it again on as many and
-- its epochs come back as they were. NULL: not recorded (a trial claimed before this column, or
-- through the API without threads). IF NOT EXISTS: a table that has it already is left as it is.
ALTER TABLE caviar_trial ADD COLUMN IF NOT EXISTS threads INTEGER CHECK (threads >= 1);
