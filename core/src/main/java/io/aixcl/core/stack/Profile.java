package io.aixcl.core.stack;

import java.util.List;

/** A named selection of services. Every profile contains the runtime core. */
public record Profile(String name, String description, List<ServiceName> services) {
    public Profile {
        services = List.copyOf(services);
    }
}
