package io.aixcl.daemon.stack;

import io.aixcl.api.Dtos;
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
}
