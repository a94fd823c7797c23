package io.aixcl.api;

/** The API's routes, versioned. One list so the daemon and the CLI cannot drift apart. */
public final class ApiPaths {
    public static final String DAEMON = "/v1/daemon";
    public static final String DAEMON_STOP = "/v1/daemon/stop";
    public static final String ENGINE = "/v1/engine";
    public static final String DOCTOR = "/v1/doctor";
    /** Model routes take names as query parameters: names hold '/' and ':'. */
    public static final String MODELS = "/v1/models";
    public static final String MODELS_SHOW = "/v1/models/show";
    public static final String MODELS_PULL = "/v1/models/pull";
    public static final String MODELS_REMOVE = "/v1/models/remove";
    public static final String MODELS_GC = "/v1/models/gc";
    public static final String AUDIT_ENTRIES = "/v1/audit/entries";
    public static final String AUDIT_CHECKPOINT = "/v1/audit/checkpoint";
    public static final String AUDIT_PROOF = "/v1/audit/proof";
    public static final String AUDIT_CONSISTENCY = "/v1/audit/consistency";
    public static final String PROFILES = "/v1/profiles";
    public static final String STACK_PLAN = "/v1/stack/plan";
    public static final String STACK_START = "/v1/stack/start";
    public static final String STACK_STOP = "/v1/stack/stop";
    public static final String STACK_RESTART = "/v1/stack/restart";
    public static final String STACK_DOWN = "/v1/stack/down";
    public static final String STACK_STATUS = "/v1/stack/status";
    public static final String STACK_LOGS = "/v1/stack/logs";
    public static final String STACK_EXPORT = "/v1/stack/export";
    /** Followed by {@code /NAME/start|stop|restart|status|logs}. */
    public static final String SERVICES = "/v1/services";
    /** GET lists (never values); followed by {@code /NAME/reveal} (POST, audited) or {@code /NAME/rotate} (POST). */
    public static final String SECRETS = "/v1/secrets";

    /** On a stack status answer: whether every service is up and healthy (so a client need not parse the body). */
    public static final String HEALTHY_HEADER = "X-Aixcl-Healthy";

    /** Streams are newline-delimited JSON, one {@link Event} per line. */
    public static final String NDJSON = "application/x-ndjson";

    private ApiPaths() {}
}
