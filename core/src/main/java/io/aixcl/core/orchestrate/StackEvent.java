package io.aixcl.core.orchestrate;

import io.aixcl.core.engine.PullProgress;
import java.time.Duration;
import java.util.List;

/** What happens during a stack operation, in order; the daemon streams these to the CLI as progress. */
public sealed interface StackEvent {

    record Planned(List<ServiceAction> actions, List<String> orphans) implements StackEvent {}

    record Pulling(PullProgress progress) implements StackEvent {}

    record Pulled(String image, Duration took) implements StackEvent {}

    /** A step on one service: creating, recreating, starting, stopping, removing, unchanged, skipped. */
    record Step(String service, String step, String detail) implements StackEvent {}

    record Healthy(String service, Duration took) implements StackEvent {}

    record Unhealthy(String service, String reason, List<String> lastLogLines) implements StackEvent {}

    record Orphan(String container, String service, boolean removed) implements StackEvent {}
}
