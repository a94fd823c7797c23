package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The control-plane tokens table. Never sees a token: callers hash it first. */
public final class ApiTokens {
    /** last_used_at is for humans ("is this token still in use?"): minute precision saves a write per request. */
    static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private static final String COLUMNS =
            "id, name, scope, token_sha256, created_at, expires_at, revoked_at, last_used_at";

    private final Jdbc jdbc;

    ApiTokens(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a new token; a token in force with the same name is a conflict. */
    public ApiToken insert(ApiToken token) {
        return jdbc.inTransaction(c -> {
            if (activeByName(c, token.name()).isPresent()) {
                throw nameTaken(token.name());
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, token.id());
                s.setString(2, token.name());
                s.setString(3, token.scope().wireName());
                s.setString(4, token.sha256Hex());
                s.setLong(5, token.created().toEpochMilli());
                setInstant(s, 6, token.expires());
                setInstant(s, 7, token.revoked());
                setInstant(s, 8, token.lastUsed());
                s.executeUpdate();
            } catch (SQLException e) {
                if (Jdbc.isUniqueViolation(e)) {
                    throw nameTaken(token.name()); // lost a race with another insert of the same name
                }
                throw e;
            }
            return token;
        });
    }

    /** The token with this hash, revoked and expired ones included: the caller decides and says why. */
    public Optional<ApiToken> findBySha256(String sha256Hex) {
        return jdbc.read(c -> one(c, "SELECT " + COLUMNS + " FROM api_tokens WHERE token_sha256 = ?",
                sha256Hex));
    }

    public List<ApiToken> list() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM api_tokens ORDER BY created_at, name")) {
                return all(s);
            }
        });
    }

    /**
     * Revokes the token with this id, or the token in force with this name. Revoking a revoked token (by id) changes
     * nothing and returns it as it is.
     */
    public ApiToken revoke(String idOrName, Instant now) {
        return jdbc.inTransaction(c -> {
            Optional<ApiToken> found = one(c, "SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?", idOrName)
                    .or(() -> activeByNameUnchecked(c, idOrName));
            ApiToken t = found.orElseThrow(() -> new AixclException.NotFound("no token with id or name '"
                    + idOrName + "' (see 'aixcl tokens list')"));
            if (t.revoked().isPresent()) {
                return t;
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, t.id());
                s.executeUpdate();
            }
            return new ApiToken(t.id(), t.name(), t.scope(), t.sha256Hex(), t.created(), t.expires(),
                    Optional.of(now), t.lastUsed());
        });
    }

    /** Records a use; writes at most once per {@link #LAST_USED_GRANULARITY}. */
    public void markUsed(String id, Instant now) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE api_tokens SET last_used_at = ? WHERE id = ? "
                    + "AND (last_used_at IS NULL OR last_used_at <= ?)")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, id);
                s.setLong(3, now.minus(LAST_USED_GRANULARITY).toEpochMilli());
                return s.executeUpdate();
            }
        });
    }

    private Optional<ApiToken> activeByNameUnchecked(Connection c, String name) {
        try {
            return activeByName(c, name);
        } catch (SQLException e) {
            throw new AixclException.Failed("state database: " + e.getMessage(), e);
        }
    }

    private static Optional<ApiToken> activeByName(Connection c, String name) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM api_tokens WHERE name = ? AND revoked_at IS NULL", name);
    }

    private static AixclException.Conflict nameTaken(String name) {
        return new AixclException.Conflict("a token named '" + name + "' is in force; revoke it first "
                + "('aixcl tokens revoke " + name + "') or choose another name");
    }

    private static Optional<ApiToken> one(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            List<ApiToken> rows = all(s);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        }
    }

    private static List<ApiToken> all(PreparedStatement s) throws SQLException {
        List<ApiToken> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(new ApiToken(r.getString(1), r.getString(2), TokenScope.parse(r.getString(3)),
                        r.getString(4).strip(), Instant.ofEpochMilli(r.getLong(5)), instant(r, 6), instant(r, 7),
                        instant(r, 8)));
            }
        }
        return rows;
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
}
