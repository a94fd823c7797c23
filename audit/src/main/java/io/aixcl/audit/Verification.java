package io.aixcl.audit;

/** The outcome of checking a log against its checkpoints. */
public sealed interface Verification {

    /**
     * Every record is sound and every trusted checkpoint agrees. {@code witnessedSize} is the largest size a trusted
     * checkpoint vouches for; entries past it are protected by the hash chain alone until the next checkpoint.
     */
    record Valid(long size, Hash root, long witnessedSize) implements Verification {}

    /**
     * The log is not what it should be. {@code firstBadIndex} is the first entry that cannot be trusted: the damaged,
     * missing, inserted or out-of-order record, or for a rewritten history, the end of the last prefix a trusted
     * checkpoint still vouches for (the change is at or after it; without the original entries nothing pins it more).
     */
    record Invalid(long firstBadIndex, String reason) implements Verification {}
}
