package io.ringmaster.workers.gradient;

import java.util.Objects;

/**
 * One embedding table inside a model's flat parameter buffer: {@code rows} rows of {@code width}
 * values, row-major from {@code offset}. A step touches few of its rows, so its gradient travels as
 * those rows ({@link SparseRows}) instead of the whole table.
 */
public record EmbeddingTable(String name, int offset, int rows, int width) {

    public EmbeddingTable {
        Objects.requireNonNull(name, "name");
        if (offset < 0 || rows < 1 || width < 1 || (long) rows * width > Integer.MAX_VALUE - offset) {
            throw new IllegalArgumentException("embedding table " + name + ": offset " + offset + ", " + rows
                    + " rows of " + width + " values do not fit one flat buffer");
        }
    }

    /** Values in the table. */
    public int size() {
        return rows * width;
    }

    /** First offset after the table. */
    public int end() {
        return offset + size();
    }
}
