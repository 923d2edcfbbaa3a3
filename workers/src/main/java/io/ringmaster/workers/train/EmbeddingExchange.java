package io.ringmaster.workers.train;

import java.util.Locale;

/**
 * How the gang sums an embedding table's gradient ({@code allreduce.embeddings}): {@code sparse}
 * exchanges the rows each rank touched, {@code dense} all-reduces the whole table, {@code auto}
 * (default) picks per table and step whichever the transport does more cheaply at the table's
 * recent touched share ({@link Collective#denseCrossover()}).
 */
public enum EmbeddingExchange {
    AUTO,
    SPARSE,
    DENSE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EmbeddingExchange parse(String text) {
        for (EmbeddingExchange e : values()) {
            if (e.id().equals(text)) {
                return e;
            }
        }
        throw new IllegalArgumentException("allreduce.embeddings must be auto, sparse or dense, got '" + text + "'");
    }
}
