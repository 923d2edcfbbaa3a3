package io.ringmaster.data.loader;

import java.util.List;

/** One local batch: a primitive array per loader column ({@code int[]} or {@code float[]}), reused between batches. */
public final class Batch {

    private final Object[] columns;
    private final int size;

    public Batch(List<ColumnSpec> specs, int size) {
        this.size = size;
        this.columns = new Object[specs.size()];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = specs.get(c).target() == ColumnSpec.Target.INT ? new int[size] : new float[size];
        }
    }

    public int size() {
        return size;
    }

    public int[] ints(int column) {
        return (int[]) columns[column];
    }

    public float[] floats(int column) {
        return (float[]) columns[column];
    }

    Object column(int c) {
        return columns[c];
    }

    int columnCount() {
        return columns.length;
    }
}
