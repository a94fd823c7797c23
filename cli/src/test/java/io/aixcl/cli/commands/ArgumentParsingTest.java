package io.aixcl.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.CliRun;
import io.aixcl.cli.OrdinaryPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** What the CLI understands, checked without a daemon: parsing happens before any command runs. */
class ArgumentParsingTest {
    @TempDir
    Path home;

    private CommandLine cli() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return OrdinaryPath.commandLine(new Context(sink, sink, AixclPaths.fromEnvironment(
                Map.of("AIXCL_HOME", home.toString()), 0), false));
    }

    /** The innermost command the arguments select, as picocli filled it in. */
    private <T> T parse(Class<T> type, String... args) {
        ParseResult r = cli().parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return type.cast(r.commandSpec().userObject());
    }

    @Test
    void anUnknownOptionExitsWith2AndSuggestsTheClosestOne() {
        CliRun r = CliRun.of(home, "stack", "start", "--profil", "ops");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option").contains("'--profil'").contains("--profile")
                .contains("aixcl stack start --help");
    }

    @Test
    void anUnknownCommandExitsWith2AndSuggestsTheClosestOne() {
        CliRun r = CliRun.of(home, "stak", "status");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("stak").contains("stack");
    }

    @Test
    void stackStartTakesAProfileAndAStackFile() {
        StackCommand.Start start = parse(StackCommand.Start.class, "stack", "start", "--profile", "ops", "-f",
                "my-stack.yaml");
        assertThat(start.stack.profile).isEqualTo("ops");
        assertThat(start.stack.stackFile).isEqualTo(Path.of("my-stack.yaml"));
        assertThat(start.removeOrphans).isFalse();
        StackCommand.Start shortForms = parse(StackCommand.Start.class, "stack", "start", "-p", "dev",
                "--stack-file", "/x.yaml", "--remove-orphans");
        assertThat(shortForms.stack.profile).isEqualTo("dev");
        assertThat(shortForms.stack.stackFile).isEqualTo(Path.of("/x.yaml"));
        assertThat(shortForms.removeOrphans).isTrue();
    }

    @Test
    void logsFollowAndTailForTheStackAndForOneService() {
        StackCommand.Logs stack = parse(StackCommand.Logs.class, "stack", "logs", "--follow", "--tail", "5");
        assertThat(stack.follow).isTrue();
        assertThat(stack.tail).isEqualTo(5);
        StackCommand.Logs defaults = parse(StackCommand.Logs.class, "stack", "logs");
        assertThat(defaults.follow).isFalse();
        assertThat(defaults.tail).isEqualTo(100);
        ServiceCommand.Logs service = parse(ServiceCommand.Logs.class, "service", "logs", "db", "-F", "-n", "5");
        assertThat(service.name).isEqualTo("db");
        assertThat(service.follow).isTrue();
        assertThat(service.tail).isEqualTo(5);
    }

    @Test
    void aTailThatIsNotANumberIsInvalidInput() {
        CliRun r = CliRun.of(home, "stack", "logs", "--tail", "many");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("many");
    }

    @Test
    void aServiceCommandWithoutItsNameIsInvalidInput() {
        CliRun r = CliRun.of(home, "service", "start");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("NAME");
    }

    @Test
    void everyReadingCommandOffersJson() {
        List<List<String>> reading = List.of(List.of("stack", "status"), List.of("stack", "plan"),
                List.of("stack", "logs"), List.of("service", "status"), List.of("service", "logs"),
                List.of("profiles"), List.of("engine", "info"), List.of("daemon", "status"), List.of("keys", "list"),
                List.of("keys", "usage"));
        CommandLine root = cli();
        for (List<String> path : reading) {
            CommandLine c = root;
            for (String name : path) {
                c = c.getSubcommands().get(name);
                assertThat(c).as(String.join(" ", path)).isNotNull();
            }
            assertThat(c.getCommandSpec().findOption("--json")).as(String.join(" ", path) + " --json").isNotNull();
        }
    }

    @Test
    void downWithVolumesNeedsYesWhenNotOnATerminal() {
        CliRun r = CliRun.of(home, "stack", "down", "--volumes");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--yes");
    }

    @Test
    void aStackFileThatDoesNotExistIsInvalidInputBeforeTheDaemonIsAsked() {
        CliRun r = CliRun.of(home, "stack", "plan", "-f", home.resolve("nope.yaml").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml").contains("does not exist");
        assertThat(home.resolve("run/aixcld.sock")).doesNotExist();
    }

    @Test
    void anUnknownExportFormatIsInvalidInputNamingTheChoices() {
        CliRun r = CliRun.of(home, "stack", "export", "--format", "helm");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("helm").contains("compose");
    }

    @Test
    void keysCreateTakesAModelListLimitsAndALifetime() {
        KeysCommand.Create c = parse(KeysCommand.Create.class, "keys", "create", "--name", "app", "--models",
                "qwen2.5:0.5b,llama3", "--rpm", "60", "--tpm", "20000", "--budget-tokens", "5000000000", "--expires",
                "30d");
        assertThat(c.name).isEqualTo("app");
        assertThat(c.models).containsExactly("qwen2.5:0.5b", "llama3");
        assertThat(c.rpm).isEqualTo(60);
        assertThat(c.tpm).isEqualTo(20_000);
        assertThat(c.budget).isEqualTo(5_000_000_000L);
        assertThat(c.expires).isEqualTo("30d");

        KeysCommand.Create bare = parse(KeysCommand.Create.class, "keys", "create", "--name", "open");
        assertThat(bare.models).isEmpty();
        assertThat(bare.rpm).isNull();
        assertThat(bare.budget).isNull();
    }

    @Test
    void keysCreateWithoutANameOrWithANonNumericLimitIsInvalidInput() {
        CliRun noName = CliRun.of(home, "keys", "create", "--rpm", "5");
        assertThat(noName.exit()).as(noName.toString()).isEqualTo(2);
        assertThat(noName.err()).contains("--name");
        CliRun badLimit = CliRun.of(home, "keys", "create", "--name", "x", "--tpm", "lots");
        assertThat(badLimit.exit()).as(badLimit.toString()).isEqualTo(2);
        assertThat(badLimit.err()).contains("--tpm").contains("lots");
        assertThat(home.resolve("run/aixcld.sock")).doesNotExist();
    }

    @Test
    void keysUsageTakesAnOptionalKey() {
        assertThat(parse(KeysCommand.Usage.class, "keys", "usage").ref).isNull();
        assertThat(parse(KeysCommand.Usage.class, "keys", "usage", "app", "--json").ref).isEqualTo("app");
    }
}
