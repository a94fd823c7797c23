package io.aixcl.daemon;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.engine.EngineInfo;
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

    DaemonRoutes(AixclPaths paths, EngineConnector engines, Runnable stop, Optional<String> stackFile,
                 String defaultProfile) {
        this.paths = paths;
        this.engines = engines;
        this.stop = stop;
        this.stackFile = stackFile;
        this.defaultProfile = defaultProfile;
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
            EngineInfo i = engines.engine().info();
            ex.ok(new Dtos.EngineInfo(i.engine(), i.version(), i.apiVersion(), i.rootless(), i.socket(),
                    i.selectedBy(), i.serviceStartedByDaemon(), i.considered()));
        });
    }
}
