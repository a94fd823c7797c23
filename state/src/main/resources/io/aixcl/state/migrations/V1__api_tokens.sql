-- Control-plane tokens: the bearer tokens of the daemon's TCP listener. Only a SHA-256 hash of each token is
-- kept. Portable SQL (SQLite and PostgreSQL): times are epoch milliseconds in BIGINT, hashes are lowercase hex.
CREATE TABLE api_tokens (
    id           VARCHAR(40) NOT NULL PRIMARY KEY,
    name         VARCHAR(64) NOT NULL,
    scope        VARCHAR(16) NOT NULL CHECK (scope IN ('read', 'operate', 'admin')),
    token_sha256 CHAR(64)    NOT NULL UNIQUE,
    created_at   BIGINT      NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);

-- A name stays unique among the tokens in force; a revoked token keeps its row (and its name) for the record.
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
