package io.aixcl.core.inference;

/** Why a generation ended: STOP (end of text or a stop sequence), LENGTH (max tokens), CANCELLED (by the caller). */
public enum FinishReason { STOP, LENGTH, CANCELLED }
