package io.aixcl.daemon.doctor;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.doctor.Doctor;
import io.aixcl.core.doctor.Facts;
import io.aixcl.core.doctor.Facts.FileFact;
import io.aixcl.core.doctor.Finding;
import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerSecurity;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.engine.EngineInfo;
import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.daemon.EngineConnector;
import io.aixcl.daemon.http.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** {@code aixcl doctor}: gathers the facts the {@link Doctor} judges. */
public final class DoctorRoutes {
    private final AixclPaths paths;
    private final EngineConnector engines;
    private final Supplier<StackPlan> activePlan;
    private final String socketMaxMode;

    private final Supplier<Optional<Facts.AuditStatus>> audit;

    public DoctorRoutes(AixclPaths paths, EngineConnector engines, Supplier<StackPlan> activePlan,
                        boolean socketSharedWithGroup, Supplier<Optional<Facts.AuditStatus>> audit) {
        this.audit = audit;
        this.paths = paths;
        this.engines = engines;
        this.activePlan = activePlan;
        this.socketMaxMode = socketSharedWithGroup ? "rw-rw----" : "rw-------";
    }

    public void register(Router r) {
        r.get(ApiPaths.DOCTOR, ex -> {
            List<Finding> findings = new Doctor().examine(facts());
            ex.ok(new Dtos.DoctorReport(findings.stream().map(f -> new Dtos.Finding(f.check(),
                    f.severity().name().toLowerCase(Locale.ROOT), f.subject(), f.message(), f.fix())).toList(),
                    Doctor.healthy(findings)));
        });
    }

    Facts facts() {
        Optional<EngineInfo> info = Optional.empty();
        String problem = "";
        List<ContainerSecurity> containers = new ArrayList<>();
        StackPlan plan = activePlan.get();
        Map<String, Boolean> running = new LinkedHashMap<>();
        try {
            ContainerEngine engine = engines.engine();
            info = Optional.of(engine.info());
            for (ContainerState c : engine.listContainers(Map.of())) {
                engine.inspectSecurity(c.id()).ifPresent(containers::add);
                c.label(io.aixcl.core.plan.Labels.SERVICE).filter(s -> c.label(io.aixcl.core.plan.Labels.STACK)
                        .map(plan.stack()::equals).orElse(false)).ifPresent(s -> running.put(s, c.running()));
            }
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        Map<String, List<Integer>> ports = new LinkedHashMap<>();
        List<FileFact> files = new ArrayList<>();
        // A socket shared with a group needs its folder passable by that group.
        files.add(file("runtime folder", paths.runtime(), socketMaxMode.equals("rw-rw----") ? "rwx--x---"
                : "rwx------", true));
        files.add(file("daemon socket", paths.socket(), socketMaxMode, true));
        files.add(file("secrets folder", paths.secretsDir(), "rwx------", false));
        for (ServiceSpec s : plan.services()) {
            ports.put(s.name().value(), s.ports());
            boolean up = running.getOrDefault(s.name().value(), false);
            for (SecretRef secret : s.secrets()) {
                files.add(file(secret.name(), io.aixcl.core.plan.ContainerSpecs.secretFile(paths.secretsDir(),
                        plan.stack(), s, secret), "r--------", up));
            }
        }
        keyFiles(paths.data(), files);
        keyFiles(paths.config(), files);
        return new Facts(info, problem, plan.stack(), containers, ports, ListeningSockets.read(), files, audit.get());
    }

    /** Private keys anywhere in aixcl's folders must be readable by their owner only. */
    private static void keyFiles(Path dir, List<FileFact> files) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir, 3)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".key") || n.endsWith("-key.pem") || n.endsWith(".p8");
            }).forEach(p -> files.add(file("private key " + p.getFileName(), p, "rw-------", true)));
        } catch (IOException ignored) {
            // an unreadable folder shows up as missing facts, not as a crash
        }
    }

    private static FileFact file(String what, Path p, String maxMode, boolean mustExist) {
        try {
            var attrs = Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            char type = attrs.isDirectory() ? 'd' : attrs.isOther() ? 's' : attrs.isSymbolicLink() ? 'l' : '-';
            return new FileFact(what, p.toString(), Optional.of(type + PosixFilePermissions.toString(
                    attrs.permissions())), maxMode, mustExist, attrs.size());
        } catch (IOException e) {
            return new FileFact(what, p.toString(), Optional.empty(), maxMode, mustExist, 0);
        }
    }
}
