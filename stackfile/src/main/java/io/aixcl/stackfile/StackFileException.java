package io.aixcl.stackfile;

import io.aixcl.core.AixclException;
import java.util.List;
import java.util.stream.Collectors;

/** A stack or settings file is wrong; carries every problem found, not only the first. */
public final class StackFileException extends AixclException.InvalidInput {
    private final List<Problem> problems;

    public StackFileException(List<Problem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String describe(List<Problem> problems) {
        String head = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
        return head + ":\n" + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }
}
