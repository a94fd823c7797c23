package io.aixcl.core.plan;

import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import java.util.List;
import java.util.Optional;

/**
 * The services of one profile, resolved and put in start order: {@code levels.get(0)} has no dependencies,
 * every service in level N depends only on services in levels below N. Services in one level start in parallel.
 */
public record StackPlan(String stack, String profile, List<List<ServiceSpec>> levels, List<ServiceName> addedAsDependencies) {

    public StackPlan {
        levels = levels.stream().map(List::copyOf).toList();
        addedAsDependencies = List.copyOf(addedAsDependencies);
    }

    public List<ServiceSpec> services() {
        return levels.stream().flatMap(List::stream).toList();
    }

    public Optional<ServiceSpec> service(ServiceName name) {
        return services().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public int levelOf(ServiceName name) {
        for (int i = 0; i < levels.size(); i++) {
            for (ServiceSpec s : levels.get(i)) {
                if (s.name().equals(name)) {
                    return i;
                }
            }
        }
        return -1;
    }

    public String containerName(ServiceName service) {
        return ContainerNames.of(stack, service);
    }
}
