-- The instructions of a run's skill as resolved when the run was created (the SKILL.md body with $ARGUMENTS
-- filled from the prompt): the run executes what its creator saw, whatever the repository says by the time a
-- worker claims it. Read only by the claim, so lists never carry it.
ALTER TABLE runs ADD COLUMN skill_instructions TEXT;
