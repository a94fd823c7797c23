package io.aixcl.daemon;

import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.daemon.stack.StackSource;
import io.aixcl.stackfile.ComposeExport;
import io.aixcl.stackfile.StackFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The built-in catalog, with the user's stack file laid over it when there is one. */
final class CatalogStackSource implements StackSource {
    private final Path secretsDir;

    CatalogStackSource(Path secretsDir) {
        this.secretsDir = secretsDir;
    }

    @Override
    public StackDefinition load(Optional<Path> stackFile) {
        return stackFile.filter(Files::exists).map(StackFiles::load).orElseGet(StackFiles::catalog);
    }

    @Override
    public String export(StackPlan plan, String format, boolean bridgeNetworking) {
        ComposeExport.Networking networking = bridgeNetworking ? ComposeExport.Networking.PUBLISHED_LOOPBACK
                : ComposeExport.Networking.HOST;
        return ComposeExport.of(plan, new ComposeExport.Options(networking, secretsDir));
    }
}
