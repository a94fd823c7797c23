package io.aixcl.core.stack;

public enum Role {
    /** The inference engine: in every profile, depends on nothing else. */
    RUNTIME_CORE,
    OPERATIONAL
}
