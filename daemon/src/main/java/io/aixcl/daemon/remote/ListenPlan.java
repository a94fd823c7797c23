package io.aixcl.daemon.remote;

import io.aixcl.core.AixclException;
import io.aixcl.stackfile.ListenAddress;
import io.aixcl.stackfile.Settings;
import java.util.List;
import java.util.Optional;

/**
 * Whether and how the TCP listener runs, from aixcld's flags ({@code --listen ADDR:PORT}, {@code --allow-remote},
 * {@code --need-client-auth}) over the {@code listen:} settings. Other flags are left to whoever reads them.
 */
public record ListenPlan(ListenAddress address, boolean allowRemote, boolean needClientAuth) {

    public static Optional<ListenPlan> resolve(List<String> args, Settings.Listen settings) {
        Optional<ListenAddress> address = settings.address();
        boolean allowRemote = settings.allowRemote();
        boolean needClientAuth = settings.needClientAuth();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--listen")) {
                if (i + 1 >= args.size()) {
                    throw new AixclException.InvalidInput("--listen needs ADDRESS:PORT, e.g. --listen 127.0.0.1:8443");
                }
                address = Optional.of(ListenAddress.of(args.get(++i)));
            } else if (a.startsWith("--listen=")) {
                address = Optional.of(ListenAddress.of(a.substring("--listen=".length())));
            } else if (a.equals("--allow-remote")) {
                allowRemote = true;
            } else if (a.equals("--need-client-auth")) {
                needClientAuth = true;
            }
        }
        if (address.isEmpty()) {
            return Optional.empty();
        }
        if (!address.get().isLoopback() && !allowRemote) {
            throw new AixclException.InvalidInput("refusing to listen on " + address.get() + ": other machines can "
                    + "reach it. Local first: add --allow-remote (or listen.allow_remote: true in settings.yaml) to "
                    + "mean it, or listen on 127.0.0.1");
        }
        return Optional.of(new ListenPlan(address.get(), allowRemote, needClientAuth));
    }
}
