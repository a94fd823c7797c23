package io.aixcl.daemon;

import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.daemon.stack.StackSource;
import io.aixcl.stackfile.StackFiles;
import java.nio.file.Path;
import java.util.Optional;

/** The built-in catalog, with the user's stack file laid over it when there is one. */
final class CatalogStackSource implements StackSource {

    @Override
    public StackDefinition load(Optional<Path> stackFile) {
        return stackFile.map(StackFiles::load).orElseGet(StackFiles::catalog);
    }

    @Override
    public String export(StackPlan plan, String format, boolean bridgeNetworking) {
        throw new io.aixcl.core.AixclException.Failed("compose export is not available yet", null); // TODO(merge)
    }
}
