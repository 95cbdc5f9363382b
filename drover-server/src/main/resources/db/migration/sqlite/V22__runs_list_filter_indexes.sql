-- Found by bench/run.sh --suite list over a history of 340,000–400,000 runs (docs/benchmarks.md, "Runs list results"):
-- a filtered listing walked its sort's index (owner_id, updated_at, id) and read a row for every run of the team
-- newer than the 20th match: ~20 / (the filter's share) rows, all of them for a filter that matches one run of
-- an old schedule. Each index below leads with an equality the list filters on and then the default sort's
-- (owner_id, updated_at, id), so the first and any later page of such a filter read the page's rows and nothing
-- else. Three replace an index whose columns they start with; the creator's is new (one index more on runs).
-- Each costs one entry per created run and, as updated_at changes with every event, one moved entry per event.

-- state=…: the capacity check's (owner_id, state) is the prefix; a listing of several states reads one such
-- range per state (RunListSql.splitStates)
DROP INDEX runs_by_owner_state;
CREATE INDEX runs_by_owner_state_updated ON runs (owner_id, state, updated_at, id);

-- schedule_id=… (a schedule's runs: tens to thousands among a team's million); schedule_id leads, as before
DROP INDEX runs_by_schedule;
CREATE INDEX runs_by_schedule_updated ON runs (schedule_id, owner_id, updated_at, id);

-- environment_id=… and environment_id=empty-environment (IS NULL is an equality for the index)
DROP INDEX runs_by_environment;
CREATE INDEX runs_by_environment_updated ON runs (environment_id, owner_id, updated_at, id);

-- creator=… and executor=… ("my runs" in a team's listing; a bot may create 0.5 % of them)
CREATE INDEX runs_by_creator_updated ON runs (creator_id, owner_id, updated_at, id);
