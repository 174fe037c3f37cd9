-- What else a study's trials depend on (the command line's objective and search options), stored when
-- the study is created: a JSON object of option name -> canonical text value. NULL: not recorded (a
-- study created before this column, or through the API without settings).
ALTER TABLE caviar_study ADD COLUMN settings TEXT;
