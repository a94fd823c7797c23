package io.aixcl.secrets;

import io.aixcl.core.AixclException;
import io.aixcl.core.stack.ServiceSpec;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numeric user (and group, when given) a container runs as: who must own its secret files. A service without
 * {@code user} runs as the image's default, which for the images aixcl ships is root.
 */
record ContainerUser(long uid, OptionalLong gid) {
    static final ContainerUser ROOT = new ContainerUser(0, OptionalLong.empty());
    private static final Pattern NUMERIC = Pattern.compile("(\\d{1,10})(?::(\\d{1,10}))?");

    static ContainerUser of(ServiceSpec service) {
        if (service.user().isEmpty()) {
            return ROOT;
        }
        String user = service.user().get();
        if (user.equals("root") || user.equals("root:root")) {
            return new ContainerUser(0, user.contains(":") ? OptionalLong.of(0) : OptionalLong.empty());
        }
        Matcher m = NUMERIC.matcher(user);
        if (!m.matches()) {
            // A name means a lookup in the image's /etc/passwd, which the daemon cannot do before the container exists.
            throw new AixclException.InvalidInput("service '" + service.name() + "' runs as user '" + user + "' and "
                    + "has secrets: set 'user' to numeric 'uid:gid' so its secret files can be owned by that user");
        }
        return new ContainerUser(Long.parseLong(m.group(1)),
                m.group(2) == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(m.group(2))));
    }

    boolean isRoot() {
        return uid == 0 && (gid.isEmpty() || gid.getAsLong() == 0);
    }

    /** {@code uid} or {@code uid:gid}, as chown takes it. */
    String chownSpec() {
        return gid.isPresent() ? uid + ":" + gid.getAsLong() : Long.toString(uid);
    }
}
