package io.aixcl.stackfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects problems so a user sees all of them at once; throws only when asked. */
final class Problems {
    /** A file with this many problems is probably not a stack file at all; more would only be noise. */
    private static final int MAX = 100;

    private final List<Problem> problems = new ArrayList<>();

    void add(Where where, String field, String message) {
        if (problems.size() < MAX) {
            problems.add(where.problem(field, message));
        }
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    int size() {
        return problems.size();
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            List<Problem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparing(Problem::file).thenComparingInt(Problem::line)
                    .thenComparingInt(Problem::column));
            throw new StackFileException(sorted);
        }
    }
}
