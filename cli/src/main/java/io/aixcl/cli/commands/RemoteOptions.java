package io.aixcl.cli.commands;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.client.ClientCertFiles;
import io.aixcl.cli.client.RemoteDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which daemon the CLI talks to: the local one (no host) or a remote one over TLS. From the environment
 * ({@code AIXCL_HOST}, {@code AIXCL_TOKEN}, {@code AIXCL_TOKEN_FILE}, {@code AIXCL_CA}, {@code AIXCL_CLIENT_CERT}),
 * overridden by the global options.
 */
public record RemoteOptions(Optional<String> host, Optional<String> token, Optional<Path> tokenFile,
                            Optional<Path> ca, Optional<Path> clientCertDir) {
    public static final RemoteOptions LOCAL = new RemoteOptions(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());
    /** Where 'aixcl tokens ca -o' suggests putting a remote daemon's CA, and where it is looked for. */
    public static final String CA_FILE_NAME = "remote-ca.crt";

    public static RemoteOptions fromEnvironment(Map<String, String> env) {
        return new RemoteOptions(nonBlank(env.get("AIXCL_HOST")), nonBlank(env.get("AIXCL_TOKEN")),
                nonBlank(env.get("AIXCL_TOKEN_FILE")).map(Path::of), nonBlank(env.get("AIXCL_CA")).map(Path::of),
                nonBlank(env.get("AIXCL_CLIENT_CERT")).map(Path::of));
    }

    public RemoteOptions overriddenBy(String host, Path tokenFile, Path ca, Path clientCertDir) {
        return new RemoteOptions(host != null ? Optional.of(host) : this.host,
                tokenFile != null ? Optional.empty() : token,
                tokenFile != null ? Optional.of(tokenFile) : this.tokenFile,
                ca != null ? Optional.of(ca) : this.ca,
                clientCertDir != null ? Optional.of(clientCertDir) : this.clientCertDir);
    }

    public RemoteDaemon connect(AixclPaths paths) {
        return RemoteDaemon.connect(host.orElseThrow(), token, tokenFile, pinnedCa(paths), clientCertDir);
    }

    /**
     * The CA to pin: {@code --ca}, else the one beside the client certificate, else one saved in the config folder,
     * else this machine's own daemon's CA (the same host). Never the system's trust store.
     */
    Path pinnedCa(AixclPaths paths) {
        if (ca.isPresent()) {
            return ca.get();
        }
        List<Path> candidates = List.of(
                clientCertDir.map(d -> d.resolve(ClientCertFiles.CA)).orElse(Path.of("/nonexistent")),
                paths.config().resolve(CA_FILE_NAME), paths.data().resolve("tls/ca.crt"));
        return candidates.stream().filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new CliException(ExitCodes.INVALID_INPUT, "no CA certificate to pin for "
                        + host.orElse("the remote daemon") + ": pass --ca FILE (on the daemon's host, "
                        + "'aixcl tokens ca -o FILE' exports it) or save it as " + paths.config().resolve(CA_FILE_NAME)));
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
    }
}
