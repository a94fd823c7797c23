package io.aixcl.daemon.stack;

import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.StackDefinition;
import java.nio.file.Path;
import java.util.Optional;

/** Where the daemon gets the declared stack from: the built-in catalog merged with the user's stack file. */
public interface StackSource {

    /** The definition; throws InvalidInput (with every problem, file, line and field) when the file is wrong. */
    StackDefinition load(Optional<Path> stackFile);

    /** The plan as a file for another tool; {@code format} is {@code compose}. */
    String export(StackPlan plan, String format, boolean bridgeNetworking);
}
