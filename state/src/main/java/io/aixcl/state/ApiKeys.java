package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The gateway's inference keys (api_keys, their model allowlist api_key_models) and their settled usage
 * (api_key_usage). Never sees a key: callers hash it first. Usage is only ever added to, in one statement per key,
 * so concurrent writers cannot lose each other's counts.
 */
public final class ApiKeys {
    private static final String COLUMNS = "id, name, key_sha256, created_at, expires_at, revoked_at, last_used_at, "
            + "requests_per_minute, tokens_per_minute, budget_tokens";

    private final Jdbc jdbc;

    ApiKeys(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a new key and its allowlist; a key in force with the same name is a conflict. */
    public ApiKey insert(ApiKey key) {
        return jdbc.inTransaction(c -> {
            if (activeByName(c, key.name()).isPresent()) {
                throw nameTaken(key.name());
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO api_keys (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, key.id());
                s.setString(2, key.name());
                s.setString(3, key.sha256Hex());
                s.setLong(4, key.created().toEpochMilli());
                setInstant(s, 5, key.expires());
                setInstant(s, 6, key.revoked());
                setInstant(s, 7, key.lastUsed());
                setInt(s, 8, key.limits().requestsPerMinute());
                setInt(s, 9, key.limits().tokensPerMinute());
                if (key.limits().budgetTokens().isPresent()) {
                    s.setLong(10, key.limits().budgetTokens().getAsLong());
                } else {
                    s.setNull(10, Types.BIGINT);
                }
                s.executeUpdate();
            } catch (SQLException e) {
                if (Jdbc.isUniqueViolation(e)) {
                    throw nameTaken(key.name()); // lost a race with another insert of the same name
                }
                throw e;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO api_key_models (key_id, model) VALUES (?, ?)")) {
                for (String model : key.models()) {
                    s.setString(1, key.id());
                    s.setString(2, model);
                    s.addBatch();
                }
                if (!key.models().isEmpty()) {
                    s.executeBatch();
                }
            }
            return key;
        });
    }

    /** The key with this hash, revoked and expired ones included: the caller decides and says why. */
    public Optional<ApiKey> findBySha256(String sha256Hex) {
        return jdbc.read(c -> one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE key_sha256 = ?", sha256Hex));
    }

    /** The key with this hash if it works at {@code now}: neither revoked nor expired. */
    public Optional<ApiKey> findActiveBySha256(String sha256Hex, Instant now) {
        return findBySha256(sha256Hex).filter(k -> k.standing(now) instanceof ApiKey.Active);
    }

    /** Every key, revoked ones included, oldest first. */
    public List<ApiKey> list() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM api_keys ORDER BY created_at, name")) {
                return all(c, s);
            }
        });
    }

    /**
     * Revokes the key with this id, or the key in force with this name. Revoking a revoked key (by id) changes
     * nothing and returns it as it is.
     */
    public ApiKey revoke(String idOrName, Instant now) {
        return jdbc.inTransaction(c -> {
            Optional<ApiKey> found = one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", idOrName);
            if (found.isEmpty()) {
                found = activeByName(c, idOrName);
            }
            ApiKey k = found.orElseThrow(() -> notFound(idOrName));
            if (k.revoked().isPresent()) {
                return k;
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, k.id());
                s.executeUpdate();
            }
            return k.revokedAt(now);
        });
    }

    /** The settled usage of every key (zero for a key never used), by key id. */
    public Map<String, KeyUsage> usage() {
        return jdbc.read(c -> {
            Map<String, KeyUsage> out = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT k.id, u.requests, u.prompt_tokens, "
                    + "u.completion_tokens, u.updated_at FROM api_keys k LEFT JOIN api_key_usage u ON u.key_id = k.id");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), new KeyUsage(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4),
                            instant(r, 5)));
                }
            }
            return out;
        });
    }

    /**
     * Adds settled usage to each key's totals and moves its last use forward, in one transaction. Each key's totals
     * change in one statement that adds (an upsert), never by reading and writing back.
     */
    public void addUsage(Collection<UsageDelta> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        jdbc.inTransaction(c -> {
            try (PreparedStatement add = c.prepareStatement("INSERT INTO api_key_usage (key_id, requests, "
                    + "prompt_tokens, completion_tokens, reserved_tokens, updated_at) VALUES (?, ?, ?, ?, 0, ?) "
                    + "ON CONFLICT (key_id) DO UPDATE SET requests = api_key_usage.requests + excluded.requests, "
                    + "prompt_tokens = api_key_usage.prompt_tokens + excluded.prompt_tokens, "
                    + "completion_tokens = api_key_usage.completion_tokens + excluded.completion_tokens, "
                    + "updated_at = excluded.updated_at");
                 PreparedStatement used = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ? "
                         + "AND (last_used_at IS NULL OR last_used_at < ?)")) {
                for (UsageDelta d : deltas) {
                    add.setString(1, d.keyId());
                    add.setLong(2, d.requests());
                    add.setLong(3, d.promptTokens());
                    add.setLong(4, d.completionTokens());
                    add.setLong(5, d.at().toEpochMilli());
                    add.addBatch();
                    used.setLong(1, d.at().toEpochMilli());
                    used.setString(2, d.keyId());
                    used.setLong(3, d.at().toEpochMilli());
                    used.addBatch();
                }
                add.executeBatch();
                used.executeBatch();
            } catch (SQLException e) {
                if ("23503".equals(e.getSQLState()) || e.getErrorCode() == 19) {
                    throw new AixclException.NotFound("usage for a key that is not stored: " + e.getMessage());
                }
                throw e;
            }
            return null;
        });
    }

    private static Optional<ApiKey> activeByName(Connection c, String name) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE name = ? AND revoked_at IS NULL", name);
    }

    private static AixclException.NotFound notFound(String ref) {
        return new AixclException.NotFound("no key with id or name '" + ref + "' (see 'aixcl keys list')");
    }

    private static AixclException.Conflict nameTaken(String name) {
        return new AixclException.Conflict("a key named '" + name + "' is in force; revoke it first "
                + "('aixcl keys revoke " + name + "') or choose another name");
    }

    private static Optional<ApiKey> one(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            List<ApiKey> rows = all(c, s);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        }
    }

    private record Row(String id, String name, String sha256Hex, Instant created, Optional<Instant> expires,
                       Optional<Instant> revoked, Optional<Instant> lastUsed, KeyLimits limits) {}

    private static List<ApiKey> all(Connection c, PreparedStatement s) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                int rpm = r.getInt(8);
                OptionalInt rpmLimit = r.wasNull() ? OptionalInt.empty() : OptionalInt.of(rpm);
                int tpm = r.getInt(9);
                OptionalInt tpmLimit = r.wasNull() ? OptionalInt.empty() : OptionalInt.of(tpm);
                long budget = r.getLong(10);
                OptionalLong budgetLimit = r.wasNull() ? OptionalLong.empty() : OptionalLong.of(budget);
                rows.add(new Row(r.getString(1), r.getString(2), r.getString(3).strip(),
                        Instant.ofEpochMilli(r.getLong(4)), instant(r, 5), instant(r, 6), instant(r, 7),
                        new KeyLimits(rpmLimit, tpmLimit, budgetLimit)));
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> models = models(c, rows.size() == 1 ? Optional.of(rows.getFirst().id())
                : Optional.empty());
        return rows.stream().map(w -> new ApiKey(w.id, w.name, w.sha256Hex, w.created, w.expires, w.revoked,
                w.lastUsed, w.limits, models.getOrDefault(w.id, List.of()))).toList();
    }

    /** The allowlists of one key, or of all keys (a listing reads them in one query, not one per key). */
    private static Map<String, List<String>> models(Connection c, Optional<String> keyId) throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT key_id, model FROM api_key_models"
                + (keyId.isPresent() ? " WHERE key_id = ?" : ""))) {
            if (keyId.isPresent()) {
                s.setString(1, keyId.get());
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getString(2));
                }
            }
        }
        return out;
    }

    private static Optional<Instant> instant(ResultSet r, int column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }

    private static void setInstant(PreparedStatement s, int i, Optional<Instant> v) throws SQLException {
        if (v.isPresent()) {
            s.setLong(i, v.get().toEpochMilli());
        } else {
            s.setNull(i, Types.BIGINT);
        }
    }

    private static void setInt(PreparedStatement s, int i, OptionalInt v) throws SQLException {
        if (v.isPresent()) {
            s.setInt(i, v.getAsInt());
        } else {
            s.setNull(i, Types.INTEGER);
        }
    }
}
