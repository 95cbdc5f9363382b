-- Agent identities: a team's named agents. Each identity is also a principal (kind service_account, same id) that
-- belongs to its team: the runs it executes are created by it (runs.creator_id), so they show it as their creator,
-- are listed by it (creator=<uid>), and their run-scoped token acts as it rather than as the person who started
-- them. Deletion is soft (deleted_at): the principal row must stay for the runs that name it as creator, and a run
-- queued before the deletion still resolves the identity's secrets when it is claimed.
CREATE TABLE agent_identities (
    id           TEXT PRIMARY KEY REFERENCES principals (id),
    team_id      TEXT NOT NULL REFERENCES teams (id),
    name         TEXT NOT NULL,
    description  TEXT,
    -- the run configuration merged under a run's own: base_prompt, harness, model_id, environment_id,
    -- mcp_servers, worker_host (an AmbientAgentConfig)
    config_json  TEXT NOT NULL,
    skills_json  TEXT NOT NULL,
    secrets_json TEXT NOT NULL,
    creator_id   TEXT NOT NULL REFERENCES principals (id),
    updater_id   TEXT NOT NULL REFERENCES principals (id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    deleted_at   BIGINT
);
CREATE INDEX agent_identities_by_team ON agent_identities (team_id, created_at, id);

-- the identity a run acted as (NULL for runs created as their caller); kept after the identity's deletion
ALTER TABLE runs ADD COLUMN agent_identity_id TEXT;

-- the identity a schedule's runs act as
ALTER TABLE schedules ADD COLUMN agent_identity_id TEXT;
CREATE INDEX schedules_by_agent_identity ON schedules (agent_identity_id) WHERE agent_identity_id IS NOT NULL;
