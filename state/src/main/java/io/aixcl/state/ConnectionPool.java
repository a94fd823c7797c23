package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.sql.DataSource;

/**
 * A few idle connections kept for reuse, so a token check does not pay for a PostgreSQL login each time. Not a
 * general pool: there is no upper bound on connections in use, which the daemon's control-plane traffic does not need.
 */
final class ConnectionPool implements AutoCloseable {
    private final DataSource source;
    private final int maxIdle;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    ConnectionPool(DataSource source, int maxIdle) {
        this.source = source;
        this.maxIdle = maxIdle;
    }

    Connection borrow() throws SQLException {
        while (true) {
            Connection c;
            synchronized (this) {
                if (closed) {
                    throw new AixclException.Failed("the state store is closed", null);
                }
                c = idle.pollFirst();
            }
            if (c == null) {
                return source.getConnection();
            }
            // A server restart leaves dead connections behind: check before use.
            if (c.isValid(2)) {
                return c;
            }
            closeQuietly(c);
        }
    }

    void release(Connection c, boolean healthy) {
        synchronized (this) {
            if (healthy && !closed && idle.size() < maxIdle) {
                idle.addFirst(c);
                return;
            }
        }
        closeQuietly(c);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            idle.forEach(ConnectionPool::closeQuietly);
            idle.clear();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }
}
