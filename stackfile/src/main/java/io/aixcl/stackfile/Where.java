package io.aixcl.stackfile;

import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/** A position in a source file, kept with parsed values so that checks made after merging can still point at it. */
record Where(String file, int line, int column) {

    static Where of(String file, Optional<Mark> mark) {
        return mark.map(m -> new Where(file, m.getLine() + 1, m.getColumn() + 1)).orElse(new Where(file, 1, 1));
    }

    static Where of(String file, Node node) {
        return of(file, node.getStartMark());
    }

    static Where start(String file) {
        return new Where(file, 1, 1);
    }

    Problem problem(String field, String message) {
        return new Problem(file, line, column, field, message);
    }
}
