package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.sql.Connection;
import java.sql.SQLException;

/** Runs units of work in a transaction on a pooled connection; SQL failures become domain failures here. */
final class Jdbc {
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final ConnectionPool pool;
    private final String database;

    Jdbc(ConnectionPool pool, String database) {
        this.pool = pool;
        this.database = database;
    }

    /** One or more reads with no transaction of their own, so they never wait for a writer (WAL). */
    <T> T read(Work<T> work) {
        Connection c = null;
        boolean healthy = false;
        try {
            c = pool.borrow();
            c.setAutoCommit(true);
            T result = work.run(c);
            healthy = true;
            return result;
        } catch (SQLException e) {
            throw new AixclException.Failed("state database (" + database + "): " + e.getMessage(), e);
        } finally {
            if (c != null) {
                pool.release(c, healthy);
            }
        }
    }

    <T> T inTransaction(Work<T> work) {
        Connection c = null;
        boolean healthy = false;
        try {
            c = pool.borrow();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                healthy = true;
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                healthy = !(e instanceof SQLException);
                throw e;
            } finally {
                // Back to autocommit before the connection idles: SQLite's driver may open the next transaction
                // right after a commit or rollback, and an idle connection must hold no lock.
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new AixclException.Failed("state database (" + database + "): " + e.getMessage(), e);
        } finally {
            if (c != null) {
                pool.release(c, healthy);
            }
        }
    }

    /** A unique constraint was violated: SQLSTATE 23505 on PostgreSQL, SQLITE_CONSTRAINT (19) on SQLite. */
    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState()) || e.getErrorCode() == 19;
    }
}
