package io.ringmaster.data.loader;

/**
 * One decoded row group: the requested columns as primitive arrays ({@code int[]} or {@code float[]}),
 * in the order of the loader's {@link ColumnSpec}s, {@code rows} entries each (after skipped nulls).
 */
public record RowGroup(RowGroupRef ref, int rows, Object[] columns, int skippedNulls) {

    public int[] ints(int column) {
        return (int[]) columns[column];
    }

    public float[] floats(int column) {
        return (float[]) columns[column];
    }
}
