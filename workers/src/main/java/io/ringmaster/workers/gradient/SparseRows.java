package io.ringmaster.workers.gradient;

import java.util.Arrays;

/**
 * The gradient of one embedding table as the rows a step touched: distinct row ids in the order they
 * were first added, each with a row of {@code width} values. Adding, finding and clearing cost what
 * was touched, never the table: row ids find their slot through a small open-addressing hash table
 * sized to the rows held (a table-sized index would miss the cache at every lookup at catalogue
 * sizes), cleared entry by entry.
 */
public final class SparseRows {

    private final EmbeddingTable table;
    private final int width;
    private int[] keys; // hash table: row id + 1 (0: empty) ...
    private int[] slots; // ... and its slot
    private int[] at; // slot -> its place in the hash table
    private int mask;
    private int shift;
    private int[] ids;
    private float[] values;
    private int count;

    public SparseRows(EmbeddingTable table) {
        this.table = table;
        this.width = table.width();
        this.keys = new int[128];
        this.slots = new int[128];
        this.mask = 127;
        this.shift = 32 - 7;
        this.at = new int[64];
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
            at = Arrays.copyOf(at, n);
            values = Arrays.copyOf(values, n * width);
        }
        if (2 * rows > keys.length) { // at most half full
            int size = Integer.highestOneBit(4 * rows - 1);
            keys = new int[size];
            slots = new int[size];
            mask = size - 1;
            shift = 32 - Integer.numberOfTrailingZeros(size);
            for (int s = 0; s < count; s++) {
                int p = probe(ids[s]);
                keys[p] = ids[s] + 1;
                slots[p] = s;
                at[s] = p;
            }
        }
    }

    /** The hash table place of row {@code id}: where it is, or the empty place where it would go. */
    private int probe(int id) {
        int p = (id * 0x9E3779B9) >>> shift; // Fibonacci hashing: the product's top bits
        int key = id + 1;
        while (keys[p] != 0 && keys[p] != key) {
            p = (p + 1) & mask;
        }
        return p;
    }

    private int insert(int id, int p) {
        if (count == ids.length || 2 * (count + 1) > keys.length) {
            reserve(count + 1);
            p = probe(id);
        }
        int s = count++;
        keys[p] = id + 1;
        slots[p] = s;
        at[s] = p;
        ids[s] = id;
        return s;
    }

    /** The slot of row {@code id}, adding it with a zero gradient row when absent. */
    public int add(int id) {
        int p = probe(id);
        if (keys[p] != 0) {
            return slots[p];
        }
        int s = insert(id, p);
        Arrays.fill(values, s * width, s * width + width, 0f);
        return s;
    }

    /**
     * Adds row {@code id} with the values {@code src[from, from + width)} when it is not held, else adds
     * those values to its row (as {@link #add} then summing, without zeroing first). Returns its slot.
     */
    public int accumulate(int id, float[] src, int from) {
        int p = probe(id);
        if (keys[p] == 0) {
            int s = insert(id, p);
            System.arraycopy(src, from, values, s * width, width);
            return s;
        }
        int s = slots[p];
        float[] acc = values;
        int to = s * width;
        for (int k = 0; k < width; k++) {
            acc[to + k] += src[from + k];
        }
        return s;
    }

    /** The slot of row {@code id}, or -1 when it is not held. */
    public int slot(int id) {
        int p = probe(id);
        return keys[p] == 0 ? -1 : slots[p];
    }

    /** Forgets every row (cost: the rows held). */
    public void clear() {
        for (int s = 0; s < count; s++) {
            keys[at[s]] = 0;
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
