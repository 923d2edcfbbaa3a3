package io.ringmaster.workers.gradient;

import java.util.List;

/**
 * One step's gradient as the gang exchanges it: a dense block ({@link GradientLayout}) plus, for each
 * embedding table, the rows the step touched. The engine fills it; the trainer weights it, the gang
 * sums it ({@link GradientExchange}) and the optimizer applies it. A model without tables has only the
 * dense block.
 */
public final class Gradient {

    private final GradientLayout layout;
    private final float[] dense;
    private final SparseRows[] tables;

    public Gradient(GradientLayout layout) {
        this.layout = layout;
        this.dense = new float[layout.denseLength()];
        List<EmbeddingTable> t = layout.tables();
        this.tables = new SparseRows[t.size()];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = new SparseRows(t.get(i));
        }
    }

    public GradientLayout layout() {
        return layout;
    }

    /** The dense block's gradient; the live array. */
    public float[] dense() {
        return dense;
    }

    /** Table {@code i}'s touched rows, in {@link GradientLayout#tables()} order. */
    public SparseRows table(int i) {
        return tables[i];
    }

    public int tableCount() {
        return tables.length;
    }

    /** The live per-table rows, in layout order. */
    public SparseRows[] tables() {
        return tables;
    }

    /** A zero gradient: dense block zeroed, no rows (cost: the dense block and the rows held). */
    public void clear() {
        java.util.Arrays.fill(dense, 0f);
        for (SparseRows t : tables) {
            t.clear();
        }
    }

    /** Multiplies the whole gradient by {@code w}. */
    public void scale(float w) {
        for (int i = 0; i < dense.length; i++) {
            dense[i] *= w;
        }
        for (SparseRows t : tables) {
            t.scale(w);
        }
    }

    /** The gradient as one full-size flat vector in the model's layout (zero where no row was touched). */
    public float[] toFlat() {
        float[] flat = new float[layout.size()];
        System.arraycopy(dense, 0, flat, layout.denseOffset(), dense.length);
        for (SparseRows t : tables) {
            t.addTo(flat);
        }
        return flat;
    }
}
