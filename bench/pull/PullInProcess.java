import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelRef;
import io.aixcl.core.models.PullRequest;
import io.aixcl.models.LocalModelStore;
import io.aixcl.models.ModelStoreSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The model store's pull alone, in one JVM: PULLS pulls of URL (verified against HEX) into a fresh store under ROOT,
 * each removed afterwards, printing each pull's wall and process CPU time. For load-independent A/B figures, run it
 * under {@code perf stat -e instructions:u,instructions:k,task-clock}. The first pull includes the JIT's warm-up.
 *
 * <pre>java -XX:+UseSerialGC -cp "dist/target/aixcl/lib/*" bench/pull/PullInProcess.java ROOT URL HEX PULLS [CONNECTIONS]</pre>
 */
public final class PullInProcess {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int pulls = Integer.parseInt(args[3]);
        var defaults = ModelStoreSettings.defaults(root, Map.of());
        int connections = args.length > 4 ? Integer.parseInt(args[4]) : defaults.connectionsPerBlob();
        var settings = defaults.withDownloads(connections, defaults.chunkBytes(), defaults.stallTimeout(), defaults.retry());
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Digest digest = Digest.parse("sha256:" + args[2]);
        ModelName name = ModelName.parse("bench-in-process");
        try (var store = new LocalModelStore(settings)) {
            for (int i = 0; i < pulls; i++) {
                var request = new PullRequest(ModelRef.parse(args[1]), Optional.of(digest), Optional.of(name), true);
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                store.pull(request, event -> {});
                long t1 = System.nanoTime();
                long cpu1 = os.getProcessCpuTime();
                System.out.printf("pull %d: wall %.3f s, cpu %.3f s%n", i + 1, (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9);
                store.remove(name);
                Files.deleteIfExists(root.resolve("blobs").resolve(digest.fileName()));
            }
        }
    }
}
