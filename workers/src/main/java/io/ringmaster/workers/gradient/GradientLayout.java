package io.ringmaster.workers.gradient;

import java.util.List;

/**
 * How a model's flat parameter buffer splits for training: one dense block
 * {@code [denseOffset, denseOffset + denseLength)} whose every value gets a gradient each step (MLP
 * weights, biases, output layer), and embedding tables whose gradient is the rows a step touched. The
 * trainer, the gang's exchange and the optimizer see only this, never the model.
 */
public record GradientLayout(int size, int denseOffset, int denseLength, List<EmbeddingTable> tables) {

    public GradientLayout {
        tables = List.copyOf(tables);
        if (denseOffset < 0 || denseLength < 0 || (long) denseOffset + denseLength > size) {
            throw new IllegalArgumentException("dense block [" + denseOffset + ", " + ((long) denseOffset + denseLength)
                    + ") outside the " + size + " parameters");
        }
        long covered = denseLength;
        for (EmbeddingTable t : tables) {
            if (t.end() > size) {
                throw new IllegalArgumentException("embedding table " + t.name() + " ends at " + t.end()
                        + ", past the " + size + " parameters");
            }
            if (t.offset() < denseOffset + denseLength && denseOffset < t.end()) {
                throw new IllegalArgumentException("embedding table " + t.name() + " overlaps the dense block");
            }
            covered += t.size();
        }
        if (covered != size) {
            throw new IllegalArgumentException("the dense block and the tables cover " + covered + " of " + size
                    + " parameters");
        }
    }

    /** A model without embedding tables: every parameter is dense. */
    public static GradientLayout dense(int size) {
        return new GradientLayout(size, 0, size, List.of());
    }
}
