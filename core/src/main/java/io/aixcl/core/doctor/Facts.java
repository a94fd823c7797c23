package io.aixcl.core.doctor;

import io.aixcl.core.engine.ContainerSecurity;
import io.aixcl.core.engine.EngineInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything the doctor looks at, gathered by the daemon; the judging itself is pure. */
public record Facts(
        Optional<EngineInfo> engine,
        String engineProblem,
        String stack,
        List<ContainerSecurity> containers,
        Map<String, List<Integer>> declaredPorts,
        List<Listener> listeners,
        List<FileFact> files,
        Optional<AuditStatus> audit) {

    public Facts {
        containers = List.copyOf(containers);
        declaredPorts = Map.copyOf(declaredPorts);
        listeners = List.copyOf(listeners);
        files = List.copyOf(files);
    }

    /** How the audit log stood when the daemon opened it, and whether its checkpoints still get written. */
    public record AuditStatus(boolean verified, String detail, long trimmedBytes, boolean overridden,
                              Optional<String> checkpointProblem) {}

    /** A listening TCP socket on this host. */
    public record Listener(String address, int port, boolean loopback) {}

    /**
     * A file or folder whose permissions matter. {@code mode} is the actual rwx string, empty when it does not
     * exist; {@code maxMode} is the loosest acceptable one (for example "rw-------").
     */
    public record FileFact(String what, String path, Optional<String> mode, String maxMode, boolean mustExist,
                           long size) {}
}
