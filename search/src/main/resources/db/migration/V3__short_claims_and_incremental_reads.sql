-- Claims no longer hold the study row while the sampler proposes (V1): a claim is one autocommitted
-- statement that numbers the trial and checks the budget on the study row, the proposal happens
-- outside any lock, and its parameters are recorded after. Readers fetch only what changed.

-- Numbering and budget in one row update. Counted trials = next_number - lost.
ALTER TABLE caviar_study
  ADD COLUMN next_number INT NOT NULL DEFAULT 0 CHECK (next_number >= 0), -- trials claimed (numbers are dense)
  ADD COLUMN lost        INT NOT NULL DEFAULT 0 CHECK (lost >= 0);        -- of which lost with their worker

ALTER TABLE caviar_trial
  -- Lost with its parameters and not a re-run itself: waits for its one re-run (claims take it with SKIP LOCKED).
  ADD COLUMN requeued    BOOLEAN NOT NULL DEFAULT false,
  -- The transaction that last changed what readers see (not heartbeats). A reader asks for rows with
  -- changed_xid >= the xmin of its previous snapshot: every transaction it could not see then has an
  -- xid at least that, whatever order the transactions commit in (a sequence value would not be).
  ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  -- The claiming call's own id: a claim retried after its reply was lost finds its committed trial.
  -- Looked up only on such retries, so not indexed.
  ADD COLUMN claim_token UUID;

UPDATE caviar_study s SET
  next_number = (SELECT count(*) FROM caviar_trial t WHERE t.study_id = s.id),
  lost = (SELECT count(*) FROM caviar_trial t WHERE t.study_id = s.id AND t.state = 'FAILED' AND t.reason LIKE 'interrupted%');

UPDATE caviar_trial t SET requeued = true
WHERE t.state = 'FAILED' AND t.reason LIKE 'interrupted%' AND t.params IS NOT NULL AND t.retry_of < 0
  AND NOT EXISTS (SELECT 1 FROM caviar_trial r WHERE r.study_id = t.study_id AND r.retry_of = t.number);

CREATE INDEX caviar_trial_changed ON caviar_trial (study_id, changed_xid);
CREATE INDEX caviar_trial_requeued ON caviar_trial (study_id, number) WHERE requeued;
