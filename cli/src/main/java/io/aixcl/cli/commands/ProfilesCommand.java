package io.aixcl.cli.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "profiles", description = "List the profiles and their services.")
public final class ProfilesCommand implements Callable<Integer> {
    @ParentCommand Root root;
    @Mixin Options.StackSelection stack;
    @Mixin Options.JsonOutput json;

    @Override
    public Integer call() {
        Context c = root.ctx();
        String f = stack.stackFilePath();
        List<Dtos.ProfileInfo> profiles = c.client().get(ApiPaths.PROFILES
                + (f == null ? "" : "?stackFile=" + Options.enc(f)), new TypeReference<List<Dtos.ProfileInfo>>() {});
        if (json.json) {
            Printing.json(c.out(), profiles);
            return ExitCodes.OK;
        }
        Table t = new Table("PROFILE", "", "SERVICES", "DESCRIPTION");
        for (Dtos.ProfileInfo p : profiles) {
            String mark = (p.isDefault() ? "default" : "") + (p.active() ? (p.isDefault() ? ",active" : "active") : "");
            t.row(p.name(), mark.isEmpty() ? "" : "(" + mark + ")", String.join(",", p.services()), p.description());
        }
        t.print(c.out());
        return ExitCodes.OK;
    }
}
