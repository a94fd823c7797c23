package io.aixcl.core.orchestrate;

import java.util.List;

/** What {@code start} would do, computed without changing anything: {@code aixcl stack plan}. */
public record StartPreview(
        String stack,
        String profile,
        List<List<String>> levels,
        List<String> addedAsDependencies,
        List<ServiceAction> actions,
        List<String> imagesToPull,
        List<String> volumesToCreate,
        List<PortConflict> portConflicts,
        List<String> orphans) {

    public record PortConflict(String service, int port) {
        @Override
        public String toString() {
            return "port " + port + " of service '" + service + "' is already in use by another process";
        }
    }

    public boolean changesNothing() {
        return actions.stream().allMatch(a -> a.kind() == ServiceAction.Kind.KEEP) && imagesToPull.isEmpty()
                && volumesToCreate.isEmpty();
    }
}
