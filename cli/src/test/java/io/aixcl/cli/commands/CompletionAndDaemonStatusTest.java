package io.aixcl.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionAndDaemonStatusTest {
    @TempDir
    Path home;

    @Test
    void completionPrintsABashScriptForTheCommands() {
        CliRun r = CliRun.of(home, "completion");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F").contains("aixcl");
        assertThat(r.out()).contains("stack").contains("service").contains("--profile");
        assertThat(r.out()).contains("keys").contains("--budget-tokens").contains("--models");
    }

    @Test
    void daemonStatusWithoutADaemonExits8AndSaysWhereItLooked() {
        CliRun r = CliRun.of(home, "daemon", "status");
        assertThat(r.exit()).as(r.toString()).isEqualTo(8);
        assertThat(r.out()).contains("aixcld is not running").contains(home.resolve("run/aixcld.sock").toString());
        assertThat(home.resolve("run/aixcld.sock")).as("status must not start a daemon").doesNotExist();
    }

    @Test
    void daemonStatusJsonWithoutADaemonSaysNotRunning() throws Exception {
        CliRun r = CliRun.of(home, "daemon", "status", "--json");
        assertThat(r.exit()).isEqualTo(8);
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("running").asBoolean()).isFalse();
        assertThat(j.get("socket").asText()).isEqualTo(home.resolve("run/aixcld.sock").toString());
    }

    @Test
    void daemonStopWithoutADaemonIsNotAnError() {
        CliRun r = CliRun.of(home, "daemon", "stop");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("not running");
    }
}
