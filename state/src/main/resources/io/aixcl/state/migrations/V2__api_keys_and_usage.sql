-- The gateway's inference keys (issue 4): hashed like tokens, with a model allowlist, rate limits and a budget.
-- A NULL limit means none. Created here so both state backends share one schema from the start.
CREATE TABLE api_keys (
    id                  VARCHAR(40) NOT NULL PRIMARY KEY,
    name                VARCHAR(64) NOT NULL,
    key_sha256          CHAR(64)    NOT NULL UNIQUE,
    created_at          BIGINT      NOT NULL,
    expires_at          BIGINT,
    revoked_at          BIGINT,
    last_used_at        BIGINT,
    requests_per_minute INTEGER,
    tokens_per_minute   INTEGER,
    budget_tokens       BIGINT
);

CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

-- No rows: every model is allowed.
CREATE TABLE api_key_models (
    key_id VARCHAR(40)  NOT NULL REFERENCES api_keys (id),
    model  VARCHAR(200) NOT NULL,
    PRIMARY KEY (key_id, model)
);

-- Running totals per key. Tokens are reserved before an upstream call and settled after it, so concurrent
-- requests cannot overspend a budget.
CREATE TABLE api_key_usage (
    key_id            VARCHAR(40) NOT NULL PRIMARY KEY REFERENCES api_keys (id),
    requests          BIGINT      NOT NULL DEFAULT 0,
    prompt_tokens     BIGINT      NOT NULL DEFAULT 0,
    completion_tokens BIGINT      NOT NULL DEFAULT 0,
    reserved_tokens   BIGINT      NOT NULL DEFAULT 0,
    updated_at        BIGINT      NOT NULL
);
