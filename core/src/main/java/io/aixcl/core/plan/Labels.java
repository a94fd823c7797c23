package io.aixcl.core.plan;

/** The labels aixcl puts on every container and volume it creates; how it finds its own things again. */
public final class Labels {
    public static final String STACK = "io.aixcl.stack";
    public static final String SERVICE = "io.aixcl.service";
    public static final String SPEC_HASH = "io.aixcl.spec-hash";
    public static final String MANAGED_BY = "io.aixcl.managed-by";

    private Labels() {}
}
