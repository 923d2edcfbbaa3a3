package io.ringmaster.workers;

import io.ringmaster.data.loader.NullPolicy;
import java.io.Serializable;
import java.util.Objects;

/**
 * How workers get their training examples: {@code stream} through the Parquet loader (row-group
 * shards, prefetch, bounded shuffle; {@code uri} null means the dataset's {@code train.parquet}), or
 * {@code memory}: every rank samples the whole epoch in memory and takes its share of each global batch.
 */
public record LoaderSettings(boolean stream, String uri, int shuffleGroups, int prefetchGroups, NullPolicy nulls)
        implements Serializable {

    public static final LoaderSettings MEMORY = new LoaderSettings(false, null, 8, 4, NullPolicy.REJECT);

    public LoaderSettings {
        Objects.requireNonNull(nulls, "nulls");
        if (shuffleGroups < 1 || prefetchGroups < 1) {
            throw new IllegalArgumentException("loader.shuffle-groups and loader.prefetch-groups must be >= 1");
        }
    }
}
