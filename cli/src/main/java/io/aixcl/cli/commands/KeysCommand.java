package io.aixcl.cli.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aixcl.api.Keys;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "keys", description = "API keys for the inference endpoint: model allowlist, rate limits, token budget.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class,
                KeysCommand.Usage.class})
public final class KeysCommand {
    @ParentCommand Root root;

    @Command(name = "create", description = {"Create a key and print it, once: only its hash is kept.",
            "The key goes to stdout alone (redirect it to a file); everything else to stderr."})
    static final class Create implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "A name for listings, usage and revocation.")
        String name;

        @Option(names = "--models", split = ",", paramLabel = "MODEL[,MODEL...]",
                description = "The only models it may use, exact ids (default: all).")
        List<String> models = new ArrayList<>();

        @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute (sliding window; default: no limit).")
        Integer rpm;

        @Option(names = "--tpm", paramLabel = "N", description = "Tokens per minute (sliding window; default: no limit).")
        Integer tpm;

        @Option(names = "--budget-tokens", paramLabel = "N", description = "Tokens it may ever use, prompt and completion (default: no budget).")
        Long budget;

        @Option(names = "--expires", paramLabel = "DURATION", description = "Lifetime, e.g. 30d, 12h, 90m (default: never).")
        String expires;

        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Keys.Created created = c.client().post(Keys.PATH, new Keys.CreateRequest(name, models, rpm, tpm, budget,
                    expires), Keys.Created.class);
            if (json.json) {
                Printing.json(c.out(), created);
                return ExitCodes.OK;
            }
            c.out().println(created.key());
            Keys.KeyInfo i = created.info();
            c.err().println("created key '" + i.name() + "' (" + i.id() + ", models " + models(i) + ", " + limits(i)
                    + ", expires " + dash(i.expires()) + ")");
            c.err().println("it is shown this once and cannot be shown again: only its hash is kept");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List the keys with their models and limits (never the keys themselves).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand KeysCommand parent;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            List<Keys.KeyInfo> keys = c.client().get(Keys.PATH, new TypeReference<List<Keys.KeyInfo>>() {});
            if (json.json) {
                Printing.json(c.out(), keys);
                return ExitCodes.OK;
            }
            Table t = new Table("ID", "NAME", "STATE", "MODELS", "RPM", "TPM", "BUDGET", "CREATED", "EXPIRES",
                    "REVOKED", "LAST USED");
            for (Keys.KeyInfo i : keys) {
                t.row(i.id(), i.name(), i.state(), models(i), i.rpm(), i.tpm(), i.budget(), i.created(), i.expires(),
                        i.revoked(), i.lastUsed());
            }
            t.print(c.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke a key by id or name; it is refused from the next request on.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Parameters(paramLabel = "NAME|ID")
        String ref;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Keys.KeyInfo i = c.client().post(Keys.revokePath(ref), Map.of(), Keys.KeyInfo.class);
            c.out().println("revoked key '" + i.name() + "' (" + i.id() + ") at " + i.revoked());
            return ExitCodes.OK;
        }
    }

    @Command(name = "usage", description = {"Requests and tokens used per key, and the budget left.",
            "Usage is written at most a second after a request settles."})
    static final class Usage implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Parameters(paramLabel = "NAME|ID", arity = "0..1", description = "One key (default: all).")
        String ref;

        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            List<Keys.Usage> usage = c.client().get(Keys.usagePath(ref), new TypeReference<List<Keys.Usage>>() {});
            if (json.json) {
                Printing.json(c.out(), usage);
                return ExitCodes.OK;
            }
            Table t = new Table("ID", "NAME", "STATE", "REQUESTS", "PROMPT TOKENS", "COMPLETION TOKENS", "BUDGET",
                    "BUDGET LEFT", "LAST USED");
            for (Keys.Usage u : usage) {
                t.row(u.id(), u.name(), u.state(), u.requests(), u.promptTokens(), u.completionTokens(), u.budget(),
                        u.budgetLeft(), u.lastUsed());
            }
            t.print(c.out());
            return ExitCodes.OK;
        }
    }

    private static String models(Keys.KeyInfo i) {
        return i.models() == null || i.models().isEmpty() ? "all" : String.join(",", i.models());
    }

    private static String limits(Keys.KeyInfo i) {
        return "rpm " + dash(i.rpm()) + ", tpm " + dash(i.tpm()) + ", budget " + dash(i.budget());
    }

    private static String dash(Object o) {
        return o == null ? "-" : String.valueOf(o);
    }
}
