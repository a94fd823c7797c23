package io.aixcl.daemon.stack;

import io.aixcl.api.Dtos;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.orchestrate.ServiceAction;
import io.aixcl.core.orchestrate.ServiceStatus;
import io.aixcl.core.orchestrate.StackEvent;
import io.aixcl.core.orchestrate.StartPreview;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Domain values to wire DTOs. */
final class EventMapping {
    private EventMapping() {}

    static Dtos.Event toEvent(StackEvent e) {
        return switch (e) {
            case StackEvent.Planned p -> new Dtos.Event("plan", null, null, null, null, null, 0, 0, null, null, null,
                    null, Map.of("actions", p.actions().stream().map(EventMapping::action).toList(),
                    "orphans", p.orphans()));
            case StackEvent.Pulling p -> new Dtos.Event("pull", null, p.progress().status(), null,
                    p.progress().image(), p.progress().layer(), p.progress().current(), p.progress().total(), null,
                    null, null, null, null);
            case StackEvent.Pulled p -> new Dtos.Event("pulled", null, null, null, p.image(), null, 0, 0,
                    p.took().toMillis() / 1000.0, null, null, null, null);
            case StackEvent.Step s -> Dtos.Event.step(s.service(), s.step(), s.detail());
            case StackEvent.Healthy h -> new Dtos.Event("healthy", h.service(), null, null, null, null, 0, 0,
                    h.took().toMillis() / 1000.0, null, null, null, null);
            case StackEvent.Unhealthy u -> new Dtos.Event("unhealthy", u.service(), null, u.reason(), null, null, 0,
                    0, null, u.lastLogLines(), null, null, null);
            case StackEvent.Orphan o -> new Dtos.Event("orphan", o.service(), o.removed() ? "removed" : "kept",
                    o.container(), null, null, 0, 0, null, null, null, null, null);
        };
    }

    static Dtos.ServiceAction action(ServiceAction a) {
        return new Dtos.ServiceAction(a.service(), a.level(), a.kind().name().toLowerCase(Locale.ROOT), a.reason(),
                a.image(), a.imagePresent());
    }

    static Dtos.Plan plan(StartPreview p) {
        return new Dtos.Plan(p.stack(), p.profile(), p.levels(), p.addedAsDependencies(),
                p.actions().stream().map(EventMapping::action).toList(), p.imagesToPull(), p.volumesToCreate(),
                p.portConflicts().stream().map(Object::toString).toList(), p.orphans(), p.changesNothing());
    }

    static Dtos.ServiceStatus status(ServiceStatus s) {
        return new Dtos.ServiceStatus(s.service(), s.role().toLowerCase(Locale.ROOT).replace('_', '-'),
                s.state().name().toLowerCase(Locale.ROOT), s.health().name().toLowerCase(Locale.ROOT),
                s.healthDetail(), s.uptime().map(d -> d.toSeconds()).orElse(null), s.restarts(),
                s.exitCode().orElse(null), s.ports(), s.image(), s.upToDate());
    }

    static Dtos.StackStatus stackStatus(String stack, String profile, List<ServiceStatus> services) {
        long ok = services.stream().filter(ServiceStatus::ok).count();
        long running = services.stream().filter(s -> s.state() == ServiceStatus.State.RUNNING).count();
        String summary = ok == services.size()
                ? "all " + services.size() + " services of profile '" + profile + "' are up and healthy"
                : ok + " of " + services.size() + " services of profile '" + profile + "' are healthy ("
                        + running + " running)";
        return new Dtos.StackStatus(stack, profile, services.stream().map(EventMapping::status).toList(), summary,
                ok == services.size());
    }

    /** The embedded engine as a status row: its state, restarts, uptime and the models in its memory. */
    static Dtos.ServiceStatus embeddedStatus(String service, EngineState state, List<ModelStatus> models) {
        String health = switch (state) {
            case EngineState.Ready r -> "healthy";
            case EngineState.Starting s -> "starting";
            case EngineState.Crashed c -> "unhealthy";
            case EngineState.Stopped s -> "none";
        };
        List<String> resident = models.stream().filter(ModelStatus::resident).map(ModelStatus::id).toList();
        String detail = state.summary() + "; " + (resident.isEmpty() ? "no models in memory"
                : "models in memory: " + String.join(", ", resident));
        Long uptime = state instanceof EngineState.Ready r
                ? java.time.Duration.between(r.since(), java.time.Instant.now()).toSeconds() : null;
        return new Dtos.ServiceStatus(service, "runtime-core", "embedded", health, detail, uptime, state.restarts(),
                null, List.of(), "embedded llama.cpp", true);
    }

    /**
     * A stack whose runtime core runs outside the container engine: its row first, then the other services, from
     * the engine when there is one, else each as needing one. Healthy when everything that can run here is.
     */
    static Dtos.StackStatus stackStatusBeside(String stack, String profile, Dtos.ServiceStatus core,
                                              List<ServiceStatus> others, List<io.aixcl.core.stack.ServiceSpec> rest,
                                              List<String> needEngine) {
        List<Dtos.ServiceStatus> rows = new java.util.ArrayList<>();
        rows.add(core);
        others.stream().map(EventMapping::status).forEach(rows::add);
        for (io.aixcl.core.stack.ServiceSpec s : rest) {
            if (needEngine.contains(s.name().value())) {
                rows.add(new Dtos.ServiceStatus(s.name().value(), s.role().name().toLowerCase(Locale.ROOT)
                        .replace('_', '-'), "needs a container engine", "none",
                        "no container engine: " + io.aixcl.daemon.inference.EngineChoice.INSTALL_ENGINE, null, 0, null,
                        s.ports(), s.image().value(), true));
            }
        }
        boolean coreOk = "healthy".equals(core.health()) || "remote".equals(core.state());
        long ok = others.stream().filter(ServiceStatus::ok).count();
        boolean healthy = coreOk && ok == others.size();
        String summary = "inference: " + core.state() + " (" + core.healthDetail() + ")"
                + (others.isEmpty() ? "" : "; " + ok + " of " + others.size() + " other services of profile '"
                        + profile + "' are healthy")
                + (needEngine.isEmpty() ? "" : "; " + String.join(", ", needEngine) + (needEngine.size() == 1
                        ? " needs" : " need") + " a container engine (" + io.aixcl.daemon.inference.EngineChoice
                        .INSTALL_ENGINE + ")");
        return new Dtos.StackStatus(stack, profile, rows, summary, healthy);
    }
}
