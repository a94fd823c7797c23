package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    private static final Path CONFIG = Path.of("/home/u/.config/aixcl");

    private static List<String> problems(String yaml) {
        StackFileException e = catchThrowableOfType(StackFileException.class,
                () -> Settings.parse("settings.yaml", yaml, CONFIG));
        assertThat(e).as("expected problems for:\n" + yaml).isNotNull();
        return e.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void missingFileMeansDefaults(@TempDir Path dir) {
        Settings s = Settings.load(dir.resolve(Settings.FILE_NAME));
        assertThat(s).isEqualTo(Settings.defaults(dir.toAbsolutePath()));
        assertThat(s.stackName()).isEqualTo("aixcl");
        assertThat(s.defaultProfile()).isEmpty();
        assertThat(s.engineSocket()).isEmpty();
        assertThat(s.stackFile()).isEqualTo(dir.toAbsolutePath().resolve("stack.yaml"));
    }

    @Test
    void everyKeyIsMapped() {
        Settings s = Settings.parse("settings.yaml", """
                version: 1
                stack_name: lab
                default_profile: dev
                stack_file: stacks/lab.yaml
                engine:
                  socket: unix:///run/user/1000/podman/podman.sock
                access:
                  users: [alice]
                  groups: [aixcl]
                """, CONFIG);
        assertThat(s).isEqualTo(new Settings("lab", Optional.of("dev"),
                Optional.of(Path.of("/run/user/1000/podman/podman.sock")), CONFIG.resolve("stacks/lab.yaml"),
                java.util.List.of("alice"), java.util.List.of("aixcl")));
    }

    @Test
    void aHostileAccountNameIsRefusedWithItsLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Settings.parse("settings.yaml", """
                access:
                  users: ["../root", alice]
                """, CONFIG)).isInstanceOf(StackFileException.class)
                .hasMessageContaining("settings.yaml:2").hasMessageContaining("invalid account name");
    }

    @Test
    void emptyMappingKeepsDefaults() {
        assertThat(Settings.parse("settings.yaml", "{}", CONFIG)).isEqualTo(Settings.defaults(CONFIG));
    }

    @Test
    void fileWithOnlyCommentsMeansDefaults() {
        assertThat(Settings.parse("settings.yaml", "# stack_name: lab\n", CONFIG)).isEqualTo(Settings.defaults(CONFIG));
    }

    @Test
    void absoluteStackFileIsKept() {
        assertThat(Settings.parse("settings.yaml", "stack_file: /srv/aixcl/stack.yaml", CONFIG).stackFile())
                .isEqualTo(Path.of("/srv/aixcl/stack.yaml"));
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve(Settings.FILE_NAME);
        Files.writeString(f, "stack_name: home\n");
        assertThat(Settings.load(f).stackName()).isEqualTo("home");
    }

    @Test
    void unknownKeysAreSuggestedWithPosition() {
        assertThat(problems("stack_nmae: x\nengine:\n  sock: /run/x.sock\n")).containsExactly(
                "settings.yaml:1:1: stack_nmae: unknown key (did you mean 'stack_name'?); expected one of: version, "
                        + "stack_name, default_profile, stack_file, engine, access, state, listen, "
                        + "inference, gateway",
                "settings.yaml:3:3: engine.sock: unknown key (did you mean 'socket'?); expected one of: socket");
    }

    @Test
    void invalidValuesAreAllReported() {
        assertThat(problems("""
                version: 2
                stack_name: My Stack
                default_profile: [dev]
                stack_file: ~/stack.yaml
                engine: { socket: tcp://10.0.0.1:2375 }
                """)).containsExactly(
                "settings.yaml:1:10: version: unsupported version '2': expected 1",
                "settings.yaml:2:13: stack_name: invalid stack name 'My Stack': expected lowercase letters, digits and "
                        + "'-', starting with a letter, at most 63 characters",
                "settings.yaml:3:18: default_profile: expected a string, found a list",
                "settings.yaml:4:13: stack_file: '~' is not expanded: write an absolute path or one relative to the "
                        + "config folder",
                "settings.yaml:5:19: engine.socket: expected a Unix socket path (or unix:///path): the engine API is "
                        + "not reached over the network, found 'tcp://10.0.0.1:2375'");
    }

    @Test
    void relativeSocketIsRefused() {
        assertThat(problems("engine:\n  socket: podman.sock\n")).singleElement().asString()
                .isEqualTo("settings.yaml:2:11: engine.socket: expected an absolute path to the engine's Unix socket, "
                        + "found 'podman.sock'");
    }

    @Test
    void syntaxErrorsAndNonMappingsAreProblems() {
        assertThat(problems("stack_name: [\n")).singleElement().asString().contains("YAML syntax error");
        assertThat(problems("- a\n")).singleElement().asString().contains("expected a mapping at the top level");
    }

    @Test
    void stateAndListenAreMapped() {
        Settings s = Settings.parse("settings.yaml", """
                state:
                  jdbc_url: jdbc:postgresql://db.internal:5432/aixcl?user=aixcl
                  password_file: state-password
                listen:
                  address: 10.0.0.5:8443
                  allow_remote: true
                  need_client_auth: true
                """, CONFIG);
        assertThat(s.state()).isEqualTo(new Settings.State(
                Optional.of("jdbc:postgresql://db.internal:5432/aixcl?user=aixcl"),
                Optional.of(CONFIG.resolve("state-password"))));
        assertThat(s.listen()).isEqualTo(new Settings.Listen(Optional.of(new ListenAddress("10.0.0.5", 8443)), true,
                true));
    }

    @Test
    void withoutStateOrListenTheStateIsSqliteAndNoTcpListenerRuns() {
        Settings s = Settings.parse("settings.yaml", "stack_name: lab\n", CONFIG);
        assertThat(s.state()).isEqualTo(Settings.State.SQLITE);
        assertThat(s.listen()).isEqualTo(Settings.Listen.OFF);
    }

    @Test
    void aPasswordInTheJdbcUrlIsRefusedWithoutEchoingIt() {
        assertThat(problems("""
                state:
                  jdbc_url: jdbc:postgresql://db/aixcl?user=a&password=hunter2
                """)).singleElement().asString()
                .startsWith("settings.yaml:2:13: state.jdbc_url: the URL must not carry a password")
                .doesNotContain("hunter2");
    }

    @Test
    void badStateAndListenValuesAreReportedWithTheirPositions() {
        assertThat(problems("""
                state:
                  jdbc_url: jdbc:mysql://db/aixcl
                listen:
                  address: 127.0.0.1:99999
                  need_client_auth: yes
                """)).containsExactly(
                "settings.yaml:2:13: state.jdbc_url: expected a PostgreSQL JDBC URL "
                        + "(jdbc:postgresql://HOST:PORT/DATABASE?user=NAME); without one the state lives in SQLite in "
                        + "the data folder",
                "settings.yaml:4:12: listen.address: invalid address '127.0.0.1:99999': port '99999' is not a number "
                        + "from 1 to 65535",
                "settings.yaml:5:21: listen.need_client_auth: expected true or false, found 'yes'");
    }

    @Test
    void aNonLoopbackListenAddressNeedsAllowRemote() {
        assertThat(problems("listen:\n  address: 0.0.0.0:8443\n")).singleElement().asString()
                .isEqualTo("settings.yaml:2:12: listen.address: 0.0.0.0:8443 is reachable from other machines: set "
                        + "listen.allow_remote: true to mean it, or listen on 127.0.0.1");
    }

    @Test
    void listenAddressesAreIpLiteralsOrLocalhost() {
        assertThat(ListenAddress.of("[::1]:8443").isLoopback()).isTrue();
        assertThat(ListenAddress.of("localhost:1").isLoopback()).isTrue();
        assertThat(ListenAddress.of("192.168.1.4:8443").isLoopback()).isFalse();
        assertThat(ListenAddress.of("[::1]:8443")).hasToString("[::1]:8443");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ListenAddress.of("example.com:8443"))
                .hasMessageContaining("expected an IP address or 'localhost'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ListenAddress.of("8443"))
                .hasMessageContaining("expected ADDRESS:PORT");
    }
}
