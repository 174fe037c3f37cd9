-- Distributed studies: one row per study, one per trial, one per intermediate value.
-- Claims lock the study row (SELECT ... FOR UPDATE), so every process proposes and numbers
-- trials one at a time; heartbeats use the server's clock, so machines' clocks need not agree.
CREATE TABLE caviar_study (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  direction   TEXT NOT NULL CHECK (direction IN ('MINIMIZE', 'MAXIMIZE')),
  space       TEXT NOT NULL,
  seed        BIGINT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE caviar_trial (
  study_id     BIGINT NOT NULL REFERENCES caviar_study (id) ON DELETE CASCADE,
  number       INT NOT NULL CHECK (number >= 0),
  state        TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')),
  params       TEXT,                        -- JSON object: parameter name -> value
  retry_of     INT NOT NULL DEFAULT -1,
  value        DOUBLE PRECISION,            -- NULL when the trial has none (NaN)
  reason       TEXT,
  start_millis BIGINT NOT NULL,
  end_millis   BIGINT NOT NULL DEFAULT -1,
  heartbeat    TIMESTAMPTZ NOT NULL DEFAULT now(),
  worker       TEXT NOT NULL,
  PRIMARY KEY (study_id, number)
);

-- The reaper looks only at running trials.
CREATE INDEX caviar_trial_running ON caviar_trial (study_id, heartbeat) WHERE state = 'RUNNING';

CREATE TABLE caviar_intermediate (
  study_id BIGINT NOT NULL,
  number   INT NOT NULL,
  step     INT NOT NULL,
  value    DOUBLE PRECISION NOT NULL,
  seq      BIGSERIAL,                       -- report order, as the journal keeps it
  PRIMARY KEY (study_id, number, step),
  FOREIGN KEY (study_id, number) REFERENCES caviar_trial (study_id, number) ON DELETE CASCADE
);
