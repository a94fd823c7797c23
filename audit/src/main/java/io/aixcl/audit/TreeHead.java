package io.aixcl.audit;

/** The log's size and root at one moment: what a checkpoint signs. */
public record TreeHead(long size, Hash root) {}
