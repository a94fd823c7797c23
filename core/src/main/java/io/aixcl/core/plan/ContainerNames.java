package io.aixcl.core.plan;

import io.aixcl.core.stack.ServiceName;

public final class ContainerNames {
    private ContainerNames() {}

    public static String of(String stack, ServiceName service) {
        return stack + "-" + service.value();
    }

    public static String volume(String stack, String volume) {
        return stack + "-" + volume;
    }
}
