package io.aixcl.stackfile;

import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.stack.ServiceName;
import java.util.List;
import java.util.Map;

/** One stack file as written, before it is merged with the catalog. Null means "not said in this file". */
record StackDraft(
        String file,
        Located<String> name,
        Located<RuntimeEngine> runtime,
        Located<String> defaultProfile,
        Map<ServiceName, ServiceDraft> services,
        Map<RuntimeEngine, ServiceDraft> runtimes,
        Map<String, ProfileDraft> profiles,
        Map<String, Located<SecretPolicy>> secrets) {

    record Located<T>(T value, Where where) {}

    record ProfileDraft(String name, Where where, String description, List<Located<String>> extendsProfiles,
                        List<Located<String>> services) {}
}
