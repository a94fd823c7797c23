package io.aixcl.cli.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Format;
import io.aixcl.cli.render.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "secrets", description = "The credentials aixcl generated for the stack (encrypted at rest).",
        mixinStandardHelpOptions = true,
        subcommands = {SecretsCommand.ListSecrets.class, SecretsCommand.Show.class, SecretsCommand.Rotate.class})
public final class SecretsCommand {
    @ParentCommand
    Root root;

    @Command(name = "list", description = "Names, ages and users of the secrets; never their values.")
    static final class ListSecrets implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;
        @Mixin Options.StackSelection stack;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            String f = stack.stackFilePath();
            List<Dtos.SecretInfo> secrets = c.client().get(ApiPaths.SECRETS
                    + (f == null ? "" : "?stackFile=" + Options.enc(f)), new TypeReference<List<Dtos.SecretInfo>>() {});
            if (json.json) {
                Printing.json(c.out(), secrets);
                return ExitCodes.OK;
            }
            Instant now = Instant.now();
            Table t = new Table("SECRET", "AGE", "ROTATED", "GENERATION", "USED BY");
            for (Dtos.SecretInfo s : secrets) {
                t.row(s.name(), s.generated() ? age(s.created(), now) : "(at first start)",
                        s.rotated() == null ? "never" : age(s.rotated(), now) + " ago", s.generation(),
                        s.services().isEmpty() ? "-" : String.join(",", s.services()));
            }
            t.print(c.out());
            return ExitCodes.OK;
        }

        private static String age(String instant, Instant now) {
            return Format.duration(Duration.between(Instant.parse(instant), now).toSeconds());
        }
    }

    @Command(name = "show", description = "Print one secret's value (recorded in the audit log).")
    static final class Show implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;
        @Parameters(paramLabel = "NAME", description = "The secret, e.g. postgres-password.") String name;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Dtos.SecretValue v = c.client().post(ApiPaths.SECRETS + "/" + Options.enc(name) + "/reveal", Map.of(),
                    Dtos.SecretValue.class);
            c.out().println(v.value());
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate", description = "Give a secret a new value (secrets derived from it follow) and restart "
            + "the running services that use it.")
    static final class Rotate implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;
        @Mixin Options.StackSelection stack;
        @Parameters(paramLabel = "NAME", description = "The secret, e.g. grafana-admin-password.") String name;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Dtos.Event result = c.operate(ApiPaths.SECRETS + "/" + Options.enc(name) + "/rotate",
                    Dtos.StackRequest.of(stack.profile, stack.stackFilePath()));
            Object restarted = result.result() == null ? List.of() : result.result().get("restarted");
            c.out().println(name + ": rotated" + (restarted instanceof List<?> l && !l.isEmpty()
                    ? "; restarted " + String.join(", ", l.stream().map(String::valueOf).toList()) : ""));
            return ExitCodes.OK;
        }
    }
}
