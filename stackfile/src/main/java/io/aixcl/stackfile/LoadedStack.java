package io.aixcl.stackfile;

import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.StackDefinition;
import java.util.Map;
import java.util.Set;

/**
 * A validated stack file: the definition the planner uses, plus what the core model does not carry yet: the chosen
 * runtime and the engine API operations each service was granted (for the filtering socket proxy).
 */
public record LoadedStack(StackDefinition definition, RuntimeEngine runtime,
                          Map<ServiceName, Set<EngineApiOperation>> engineApi) {

    public LoadedStack {
        engineApi = Map.copyOf(engineApi);
    }

    /** The operations {@code service} may call on the engine API; empty for almost every service. */
    public Set<EngineApiOperation> engineApi(ServiceName service) {
        return engineApi.getOrDefault(service, Set.of());
    }
}
