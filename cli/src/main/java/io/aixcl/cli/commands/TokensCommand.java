package io.aixcl.cli.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aixcl.api.Tokens;
import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.client.ClientCertFiles;
import io.aixcl.cli.render.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "tokens", description = "Bearer tokens for the daemon's TLS listener (aixcld --listen), and its CA.",
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class,
                TokensCommand.Ca.class})
public final class TokensCommand {
    @ParentCommand Root root;

    @Command(name = "create", description = {"Create a token and print it, once: only its hash is kept.",
            "The token goes to stdout alone (redirect it to a file); everything else to stderr."})
    static final class Create implements Callable<Integer> {
        @ParentCommand TokensCommand parent;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "A name for listings and revocation.")
        String name;

        @Option(names = "--scope", required = true, paramLabel = "read|operate|admin",
                description = "read: GET routes; operate: also start/stop/restart; admin: everything (tokens, secrets, daemon stop).")
        String scope;

        @Option(names = "--expires", paramLabel = "DURATION", description = "Lifetime, e.g. 30d, 12h, 90m (default: never).")
        String expires;

        @Option(names = "--client-cert", paramLabel = "DIR",
                description = "Also make a client certificate for mutual TLS: DIR gets client.key (made here, 0600), client.crt and ca.crt.")
        Path clientCert;

        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Optional<KeyPair> pair = Optional.ofNullable(clientCert).map(d -> ClientCertFiles.newKeyPair());
            Tokens.Created created = c.client().post(Tokens.PATH, new Tokens.CreateRequest(name, scope, expires,
                    pair.map(ClientCertFiles::publicKeyBase64).orElse(null)), Tokens.Created.class);
            if (pair.isPresent()) {
                ClientCertFiles.write(clientCert, pair.get(), created.clientCertificate(), created.caCertificate());
            }
            if (json.json) {
                Printing.json(c.out(), created);
                return ExitCodes.OK;
            }
            c.out().println(created.token());
            Tokens.TokenInfo i = created.info();
            c.err().println("created token '" + i.name() + "' (" + i.id() + ", scope " + i.scope() + ", expires "
                    + (i.expires() == null ? "never" : i.expires()) + "); it is shown this once");
            if (pair.isPresent()) {
                c.err().println("client certificate in " + clientCert + " (" + ClientCertFiles.CERT + ", "
                        + ClientCertFiles.KEY + ", " + ClientCertFiles.CA + ")");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List the tokens (never the tokens themselves).")
    static final class ListTokens implements Callable<Integer> {
        @ParentCommand TokensCommand parent;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            List<Tokens.TokenInfo> tokens = c.client().get(Tokens.PATH, new TypeReference<List<Tokens.TokenInfo>>() {});
            if (json.json) {
                Printing.json(c.out(), tokens);
                return ExitCodes.OK;
            }
            Table t = new Table("ID", "NAME", "SCOPE", "STATE", "CREATED", "EXPIRES", "LAST USED");
            for (Tokens.TokenInfo i : tokens) {
                t.row(i.id(), i.name(), i.scope(), i.state(), i.created(), dash(i.expires()), dash(i.lastUsed()));
            }
            t.print(c.out());
            return ExitCodes.OK;
        }

        private static String dash(String s) {
            return s == null ? "-" : s;
        }
    }

    @Command(name = "revoke", description = "Revoke a token by id or name; it is refused from the next request on.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand TokensCommand parent;

        @Parameters(paramLabel = "NAME|ID")
        String ref;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Tokens.TokenInfo i = c.client().post(Tokens.revokePath(ref), Map.of(), Tokens.TokenInfo.class);
            c.out().println("revoked token '" + i.name() + "' (" + i.id() + ") at " + i.revoked());
            return ExitCodes.OK;
        }
    }

    @Command(name = "ca", description = {"Print the daemon's CA certificate, which remote CLIs pin (--ca FILE).",
            "It is public: copy it to the machines that use --host."})
    static final class Ca implements Callable<Integer> {
        @ParentCommand TokensCommand parent;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write it to FILE instead of stdout.")
        Path output;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Tokens.CaCertificate ca = c.client().get(Tokens.CA, Tokens.CaCertificate.class);
            if (output == null) {
                c.out().print(ca.pem());
            } else {
                try {
                    Files.writeString(output, ca.pem());
                } catch (IOException e) {
                    throw new CliException(ExitCodes.FAILED, "cannot write " + output + ": " + e.getMessage());
                }
            }
            c.err().println("SHA-256 fingerprint: " + ca.sha256Fingerprint());
            return ExitCodes.OK;
        }
    }
}
