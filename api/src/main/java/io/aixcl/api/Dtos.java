package io.aixcl.api;

import java.util.List;
import java.util.Map;

/** The API's wire types. Separate from the domain: these change only with the API version. */
public final class Dtos {
    private Dtos() {}

    /** Which stack a request is about: a profile and optionally a stack file (absolute path, read by the daemon). */
    public record StackRequest(String profile, String stackFile, boolean removeOrphans, boolean volumes) {
        public static StackRequest of(String profile, String stackFile) {
            return new StackRequest(profile, stackFile, false, false);
        }
    }

    public record DaemonInfo(String version, long pid, long uptimeSeconds, String socket, String user,
                             String configDir, String dataDir, String stackFile, String defaultProfile) {}

    /**
     * The container engine ({@code engine} is {@code none} when no engine answers; {@code selectedBy} then says
     * why) and {@code inference}: which inference engine runs the runtime core.
     */
    public record EngineInfo(String engine, String version, String apiVersion, boolean rootless, String socket,
                             String selectedBy, boolean serviceStartedByDaemon, List<String> considered,
                             String inference) {
        public EngineInfo(String engine, String version, String apiVersion, boolean rootless, String socket,
                          String selectedBy, boolean serviceStartedByDaemon, List<String> considered) {
            this(engine, version, apiVersion, rootless, socket, selectedBy, serviceStartedByDaemon, considered, null);
        }
    }

    public record ProfileInfo(String name, String description, List<String> services, boolean isDefault,
                              boolean active) {}

    public record ServiceAction(String service, int level, String action, String reason, String image,
                                boolean imagePresent) {}

    public record Plan(String stack, String profile, List<List<String>> levels, List<String> addedAsDependencies,
                       List<ServiceAction> actions, List<String> imagesToPull, List<String> volumesToCreate,
                       List<String> portConflicts, List<String> orphans, boolean changesNothing) {}

    public record ServiceStatus(String service, String role, String state, String health, String healthDetail,
                                Long uptimeSeconds, int restarts, Integer exitCode, List<Integer> ports, String image,
                                boolean upToDate) {}

    public record StackStatus(String stack, String profile, List<ServiceStatus> services, String summary,
                              boolean healthy) {}

    public record ServiceNames(List<String> services) {}

    public record Export(String format, String content) {}

    public record Finding(String check, String severity, String subject, String message, String fix) {}

    public record DoctorReport(List<Finding> findings, boolean healthy) {}

    /**
     * A secret as {@code secrets list} shows it: never its value. {@code generated} is false for a declared secret
     * the first start has not made yet; {@code rotated} is null until the first rotation.
     */
    public record SecretInfo(String name, boolean generated, String created, String rotated, String generation,
                             List<String> services) {}

    /** The answer of an explicit, audited {@code secrets show}: the only response that carries a secret value. */
    public record SecretValue(String name, String value) {}

    /** One audit log entry as the API shows it: the recorded facts, with its position and leaf hash. */
    public record AuditEntry(long index, String leafHash, String time, String actor, String action, String target,
                             Map<String, String> parameters, String outcome, String detail) {}

    /**
     * An inclusion proof of one entry in the tree of a signed checkpoint, or a consistency proof from an older size
     * to it: the client checks both itself, against the checkpoint it verifies with the key it trusts.
     */
    public record AuditProof(long index, long fromSize, long treeSize, String leafHash, List<String> path,
                             String checkpoint) {}

    public record Model(String name, long sizeBytes, String modified, String digest) {}

    public record ModelDetails(String name, long sizeBytes, String digest, String architecture, long parameters,
                               boolean parametersEstimated, String quantization, Long contextLength, int ggufVersion,
                               List<String> layers) {}

    /** {@code ref}: a registry name, hf:org/repo/file.gguf, an https URL (with sha256) or a local file path. */
    public record ModelPull(String ref, String sha256, String name, boolean allowInsecureHttp) {}

    public record ModelName(String name) {}

    public record ModelGc(boolean dryRun) {}

    public record LogLine(String service, String stream, String time, String text) {}

    /**
     * One line of a streamed response. {@code type} says which fields are set:
     * plan, pull, pulled, step, healthy, unhealthy, orphan, log, heartbeat, result, error.
     */
    public record Event(String type, String service, String step, String detail, String image, String layer,
                        long current, long total, Double seconds, List<String> lines, LogLine log, ApiError error,
                        Map<String, Object> result) {

        public static Event of(String type) {
            return new Event(type, null, null, null, null, null, 0, 0, null, null, null, null, null);
        }

        public static Event step(String service, String step, String detail) {
            return new Event("step", service, step, detail, null, null, 0, 0, null, null, null, null, null);
        }

        public static Event error(ApiError error) {
            return new Event("error", null, null, null, null, null, 0, 0, null, null, null, error, null);
        }
    }
}
