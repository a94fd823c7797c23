package io.aixcl.daemon;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.EngineInfo;
import io.aixcl.daemon.inference.EngineChoice;
import io.aixcl.daemon.inference.RuntimeCore;
import io.aixcl.daemon.inference.RuntimePlacement;
import io.aixcl.daemon.http.Router;
import java.util.Map;
import java.util.Optional;

/** Routes about the daemon itself and its engine. */
final class DaemonRoutes {
    private final AixclPaths paths;
    private final EngineConnector engines;
    private final Runnable stop;
    private final long startedAt = System.nanoTime();
    private final Optional<String> stackFile;
    private final String defaultProfile;
    private final RuntimeCore runtime;

    DaemonRoutes(AixclPaths paths, EngineConnector engines, Runnable stop, Optional<String> stackFile,
                 String defaultProfile, RuntimeCore runtime) {
        this.runtime = runtime;
        this.paths = paths;
        this.engines = engines;
        this.stop = stop;
        this.stackFile = stackFile;
        this.defaultProfile = defaultProfile;
    }

    /** Which inference engine runs the runtime core, and its state when it is the embedded one. */
    private String inference() {
        RuntimePlacement p;
        try {
            p = runtime.placement();
        } catch (AixclException e) {
            return "unavailable: " + e.getMessage(); // e.g. inference.engine: ollama without a container engine
        }
        return p instanceof RuntimePlacement.Embedded ? p.describe() + ": " + runtime.embeddedState().summary()
                : p.describe();
    }

    void register(Router r) {
        r.get(ApiPaths.DAEMON, ex -> ex.ok(new Dtos.DaemonInfo(Version.current(), ProcessHandle.current().pid(),
                (System.nanoTime() - startedAt) / 1_000_000_000L, paths.socket().toString(),
                System.getProperty("user.name"), paths.config().toString(), paths.data().toString(),
                stackFile.orElse("(none: built-in catalog only)"), defaultProfile)));
        r.post(ApiPaths.DAEMON_STOP, ex -> {
            ex.ok(Map.of("stopping", true));
            Thread.ofVirtual().start(stop);
        });
        r.get(ApiPaths.ENGINE, ex -> {
            EngineInfo i;
            try {
                i = engines.engine().info();
            } catch (AixclException.EngineUnavailable e) {
                // Not an error any more: the runtime core runs embedded. Say so, and what was tried.
                ex.ok(new Dtos.EngineInfo("none", "", "", false, "", EngineChoice.briefly(e.getMessage()), false,
                        e.getMessage().lines().map(String::strip).filter(l -> l.startsWith("- "))
                                .map(l -> l.substring(2)).toList(), inference()));
                return;
            }
            ex.ok(new Dtos.EngineInfo(i.engine(), i.version(), i.apiVersion(), i.rootless(), i.socket(),
                    i.selectedBy(), i.serviceStartedByDaemon(), i.considered(), inference()));
        });
    }
}
