-- Managed secrets: named values owned by a user or a team, injected into runs as environment variables. Values are
-- AES-256-GCM ciphertexts (nonce || ciphertext || tag, base64) under a key kept outside the database; key_id is
-- the fingerprint of the key that sealed the row, so a node with another key refuses clearly instead of failing
-- to decrypt. The secret's id and owner are the associated data: a ciphertext copied to another row or team does
-- not decrypt.
CREATE TABLE secrets (
    id           TEXT PRIMARY KEY,
    owner_type   TEXT NOT NULL CHECK (owner_type IN ('User', 'Team')),
    owner_id     TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    key_id       TEXT NOT NULL,
    ciphertext   TEXT NOT NULL,
    creator_id   TEXT NOT NULL REFERENCES principals (id),
    updater_id   TEXT NOT NULL REFERENCES principals (id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (owner_id, name)
);

-- The fingerprint of the key every node must hold (one row): written by the first node that starts, changed only by
-- a rotation in the same transaction that re-encrypts the rows. A node started with another key refuses to start.
CREATE TABLE secrets_key (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    key_id  TEXT NOT NULL
);
