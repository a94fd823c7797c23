package io.aixcl.stackfile;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One operation of the container engine's API that a service may be granted. The engine socket is never mounted into
 * a container; a service that needs the API declares these and gets a filtering socket proxy that allows only them.
 */
public enum EngineApiOperation {
    SYSTEM_PING("system.ping"),
    SYSTEM_INFO("system.info"),
    SYSTEM_EVENTS("system.events"),
    CONTAINERS_LIST("containers.list"),
    CONTAINERS_INSPECT("containers.inspect"),
    CONTAINERS_LOGS("containers.logs"),
    CONTAINERS_STATS("containers.stats"),
    CONTAINERS_CREATE("containers.create"),
    CONTAINERS_START("containers.start"),
    CONTAINERS_STOP("containers.stop"),
    CONTAINERS_REMOVE("containers.remove"),
    IMAGES_LIST("images.list"),
    IMAGES_INSPECT("images.inspect"),
    IMAGES_PULL("images.pull"),
    IMAGES_REMOVE("images.remove");

    private final String wireName;

    EngineApiOperation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<EngineApiOperation> ofWireName(String name) {
        return Arrays.stream(values()).filter(o -> o.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(EngineApiOperation::wireName).toList();
    }
}
