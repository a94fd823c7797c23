package io.aixcl.core.engine;

import java.util.List;
import java.util.Map;

/**
 * What {@code doctor} needs to judge a container: how it runs, what it mounts, what it was given. The environment
 * is here to be checked for credentials; it never leaves the daemon (findings name variables, not values).
 */
public record ContainerSecurity(String id, String name, Map<String, String> labels, boolean privileged,
                                List<String> mountSources, List<String> capAdd, Map<String, String> environment,
                                String networkMode, String user) {

    public ContainerSecurity {
        labels = Map.copyOf(labels);
        mountSources = List.copyOf(mountSources);
        capAdd = List.copyOf(capAdd);
        environment = Map.copyOf(environment);
    }
}
