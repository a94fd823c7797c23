package io.aixcl.daemon;

final class Version {
    private Version() {}

    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
