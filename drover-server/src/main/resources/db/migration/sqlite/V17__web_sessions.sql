-- The dashboard's sign-in. A person exchanges an API key (or a one-time link) for a session kept in an HttpOnly
-- cookie, so the key never reaches the page. Both tables keep only SHA-256 hashes of their secrets (256-bit random
-- values, like API keys). A session names the key it came from: revoking the key ends its sessions (the lookup
-- joins on the key being live), and the principal is the key's.
CREATE TABLE web_sessions (
    id_hash       TEXT PRIMARY KEY,
    principal_id  TEXT NOT NULL REFERENCES principals (id),
    key_id        TEXT NOT NULL REFERENCES api_keys (id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_key ON web_sessions (key_id);

-- One-time sign-in links printed by `drover serve` and `drover keys login`: single use (used_at set by a
-- compare-and-set), ten minutes.
CREATE TABLE web_sign_in_links (
    token_hash    TEXT PRIMARY KEY,
    key_id        TEXT NOT NULL REFERENCES api_keys (id),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
