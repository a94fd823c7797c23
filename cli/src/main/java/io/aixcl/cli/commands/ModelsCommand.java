package io.aixcl.cli.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Format;
import io.aixcl.cli.render.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "models", description = "The verified model store every engine shares.",
        subcommands = {ModelsCommand.Add.class, ModelsCommand.List_.class, ModelsCommand.Show.class,
                ModelsCommand.Remove.class, ModelsCommand.Gc.class})
public final class ModelsCommand {
    @ParentCommand Root root;

    @Command(name = "add", description = "Pull models: qwen2.5-coder:0.5b, ns/model:tag, hf:org/repo/file.gguf, "
            + "https://... (with --sha256), or a local .gguf file. Every blob is verified before the model appears.")
    static final class Add implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Parameters(paramLabel = "REF", arity = "1..*") List<String> refs;
        @Option(names = "--sha256", paramLabel = "HEX", description = "The expected digest (required for URLs).")
        String sha256;
        @Option(names = "--name", paramLabel = "NAME", description = "Register under this name (one REF only).")
        String name;
        @Option(names = "--allow-http", description = "Allow plain http to a non-loopback host.") boolean allowHttp;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            if (name != null && refs.size() > 1) {
                throw new io.aixcl.cli.CliException(ExitCodes.INVALID_INPUT, "--name names one model: give one REF");
            }
            for (String ref : refs) {
                // A local file is read by the daemon, which may run elsewhere in the tree: send an absolute path.
                Path local = Path.of(ref);
                String sent = !ref.contains(":") && Files.exists(local) ? local.toAbsolutePath().normalize().toString()
                        : ref;
                Dtos.Event result = c.operate(ApiPaths.MODELS_PULL,
                        new Dtos.ModelPull(sent, sha256, name, allowHttp));
                io.aixcl.cli.render.PullSummary.print(c.out(), result);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "Models in the store.")
    static final class List_ implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            List<Dtos.Model> models = c.client().get(ApiPaths.MODELS, new TypeReference<List<Dtos.Model>>() {});
            if (json.json) {
                Printing.json(c.out(), models);
            } else {
                Table t = new Table("NAME", "SIZE", "MODIFIED", "DIGEST");
                models.forEach(m -> t.row(m.name(), Format.bytes(m.sizeBytes()), m.modified(), m.digest()));
                t.print(c.out());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "A model's GGUF metadata: architecture, parameters, quantization, context.")
    static final class Show implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Parameters(paramLabel = "NAME") String name;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Dtos.ModelDetails d = c.client().get(ApiPaths.MODELS_SHOW + "?name=" + Options.enc(name),
                    Dtos.ModelDetails.class);
            if (json.json) {
                Printing.json(c.out(), d);
                return ExitCodes.OK;
            }
            c.out().printf("name:          %s%narchitecture:  %s%nparameters:    %,d%s%nquantization:  %s%n"
                            + "context:       %s%nsize:          %s%ndigest:        %s%n", d.name(), d.architecture(),
                    d.parameters(), d.parametersEstimated() ? " (estimated from tensor shapes)" : "",
                    d.quantization(), d.contextLength() == null ? "-" : d.contextLength(), Format.bytes(d.sizeBytes()),
                    d.digest());
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", description = "Remove a model (its blobs go with the next gc if nothing else uses them).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            c.client().post(ApiPaths.MODELS_REMOVE, new Dtos.ModelName(name), Map.class);
            c.out().println("removed " + name);
            return ExitCodes.OK;
        }
    }

    @Command(name = "gc", description = "Delete blobs no model uses, and stale partial downloads.")
    static final class Gc implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Option(names = "--dry-run", description = "Only say what would go.") boolean dryRun;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Map<?, ?> r = c.client().post(ApiPaths.MODELS_GC, new Dtos.ModelGc(dryRun), Map.class);
            c.out().println((dryRun ? "would remove " : "removed ") + r.get("removedBlobs") + " blob(s), "
                    + Format.bytes(((Number) r.get("freedBytes")).longValue()) + ", and " + r.get("removedPartials")
                    + " partial download(s)");
            return ExitCodes.OK;
        }
    }
}
