-- One-off processes (paas run) are numbered per app: run.1, run.2, … never reused.
ALTER TABLE apps ADD COLUMN run_seq integer NOT NULL DEFAULT 0;
