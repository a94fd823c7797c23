package io.aixcl.core.doctor;

/** One result of a doctor check: what was checked, about what, how it stands, and how to fix it. */
public record Finding(String check, Severity severity, String subject, String message, String fix) {

    public enum Severity { OK, WARN, FAIL }

    static Finding ok(String check, String subject, String message) {
        return new Finding(check, Severity.OK, subject, message, "");
    }

    static Finding warn(String check, String subject, String message, String fix) {
        return new Finding(check, Severity.WARN, subject, message, fix);
    }

    static Finding fail(String check, String subject, String message, String fix) {
        return new Finding(check, Severity.FAIL, subject, message, fix);
    }
}
