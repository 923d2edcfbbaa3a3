package io.ringmaster.data.loader;

import java.util.Objects;

/**
 * One column a loader reads, and the primitive array it decodes into: {@link Target#INT} accepts
 * Parquet INT32 and INT64 (range-checked), {@link Target#FLOAT} accepts FLOAT, DOUBLE, INT32 and INT64.
 * Columns may be nullable in the file (as Spark writes them); what happens to a null row is the
 * loader's {@link NullPolicy}.
 */
public record ColumnSpec(String name, Target target) {

    public enum Target { INT, FLOAT }

    public ColumnSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
    }

    public static ColumnSpec ints(String name) {
        return new ColumnSpec(name, Target.INT);
    }

    public static ColumnSpec floats(String name) {
        return new ColumnSpec(name, Target.FLOAT);
    }
}
