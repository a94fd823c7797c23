package io.aixcl.core.models;

import java.util.OptionalLong;

/**
 * What a GGUF header says about a model. {@code parameterCountEstimated} is true when the file has no
 * {@code general.parameter_count} and the count was summed from tensor shapes. {@code quantization} is the file
 * type's name ({@code Q4_K_M}, {@code F16}), or the dominant tensor type when the file does not say.
 */
public record GgufSummary(int version, String architecture, String modelName, long parameterCount,
                          boolean parameterCountEstimated, String quantization, OptionalLong contextLength,
                          long tensorCount, long metadataCount, long fileSizeBytes) {}
