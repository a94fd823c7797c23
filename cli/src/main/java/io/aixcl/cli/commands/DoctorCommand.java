package io.aixcl.cli.commands;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "doctor", description = "Check this machine's aixcl setup against its security invariants.")
public final class DoctorCommand implements Callable<Integer> {
    @ParentCommand Root root;
    @Mixin Options.JsonOutput json;
    @Option(names = "--all", description = "Also show the checks that passed.") boolean all;

    @Override
    public Integer call() {
        Context c = root.ctx();
        Dtos.DoctorReport report = c.client().get(ApiPaths.DOCTOR, Dtos.DoctorReport.class);
        if (json.json) {
            Printing.json(c.out(), report);
        } else {
            Table t = new Table("", "CHECK", "SUBJECT", "FINDING", "FIX");
            long shown = 0;
            for (Dtos.Finding f : report.findings()) {
                if (!all && f.severity().equals("ok")) {
                    continue;
                }
                shown++;
                t.row(switch (f.severity()) {
                    case "fail" -> "FAIL";
                    case "warn" -> "warn";
                    default -> "ok";
                }, f.check(), f.subject(), f.message(), f.fix());
            }
            if (shown > 0) {
                t.print(c.out());
            }
            long fails = report.findings().stream().filter(f -> f.severity().equals("fail")).count();
            long warns = report.findings().stream().filter(f -> f.severity().equals("warn")).count();
            c.out().println(fails == 0 ? "no problems found (" + warns + " warning(s), "
                    + report.findings().size() + " checks)" : fails + " problem(s) found");
        }
        return report.healthy() ? ExitCodes.OK : ExitCodes.NOT_HEALTHY;
    }
}
