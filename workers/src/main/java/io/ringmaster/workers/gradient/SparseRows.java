package io.ringmaster.workers.gradient;

import java.util.Arrays;

/**
 * The gradient of one embedding table as the rows a step touched: distinct row ids in the order they
 * were first added, each with a row of {@code width} values. Adding, finding and clearing cost what
 * was touched, never the table: an index from row id to slot (as long as the table, allocated once) is
 * reset entry by entry.
 */
public final class SparseRows {

    private final EmbeddingTable table;
    private final int width;
    private final int[] slotOf;
    private int[] ids;
    private float[] values;
    private int count;

    public SparseRows(EmbeddingTable table) {
        this.table = table;
        this.width = table.width();
        this.slotOf = new int[table.rows()];
        Arrays.fill(slotOf, -1);
        this.ids = new int[64];
        this.values = new float[64 * width];
    }

    public EmbeddingTable table() {
        return table;
    }

    public int width() {
        return width;
    }

    /** Rows held. */
    public int count() {
        return count;
    }

    /** Row ids by slot; the live array (valid up to {@link #count()}). */
    public int[] ids() {
        return ids;
    }

    /** Gradient rows by slot ({@code width} values each); the live array, replaced when it grows. */
    public float[] values() {
        return values;
    }

    /** Makes room for {@code rows} rows in all, so that adding up to that many does not reallocate. */
    public void reserve(int rows) {
        if (rows > ids.length) {
            int n = Math.max(rows, ids.length * 2);
            ids = Arrays.copyOf(ids, n);
            values = Arrays.copyOf(values, n * width);
        }
    }

    /** The slot of row {@code id}, adding it with a zero gradient row when absent. */
    public int add(int id) {
        int s = slotOf[id];
        if (s >= 0) {
            return s;
        }
        if (count == ids.length) {
            reserve(count + 1);
        }
        s = count++;
        slotOf[id] = s;
        ids[s] = id;
        Arrays.fill(values, s * width, s * width + width, 0f);
        return s;
    }

    /**
     * Adds row {@code id} with the values {@code src[from, from + width)} when it is not held, else adds
     * those values to its row (as {@link #add} then summing, without zeroing first). Returns its slot.
     */
    public int accumulate(int id, float[] src, int from) {
        int s = slotOf[id];
        if (s < 0) {
            if (count == ids.length) {
                reserve(count + 1);
            }
            s = count++;
            slotOf[id] = s;
            ids[s] = id;
            System.arraycopy(src, from, values, s * width, width);
            return s;
        }
        float[] acc = values;
        int to = s * width;
        for (int k = 0; k < width; k++) {
            acc[to + k] += src[from + k];
        }
        return s;
    }

    /** The slot of row {@code id}, or -1 when it is not held. */
    public int slot(int id) {
        return slotOf[id];
    }

    /** Forgets every row (cost: the rows held). */
    public void clear() {
        for (int s = 0; s < count; s++) {
            slotOf[ids[s]] = -1;
        }
        count = 0;
    }

    /** Multiplies every held value by {@code w}. */
    public void scale(float w) {
        for (int i = 0, e = count * width; i < e; i++) {
            values[i] *= w;
        }
    }

    /** Divides every held value by {@code n}, as the dense all-reduce averages. */
    public void divide(float n) {
        for (int i = 0, e = count * width; i < e; i++) {
            values[i] /= n;
        }
    }

    /** Adds the held rows into a full-size flat buffer laid out as the model's ({@code table.offset()}). */
    public void addTo(float[] flat) {
        for (int s = 0; s < count; s++) {
            int to = table.offset() + ids[s] * width;
            int from = s * width;
            for (int k = 0; k < width; k++) {
                flat[to + k] += values[from + k];
            }
        }
    }
}
