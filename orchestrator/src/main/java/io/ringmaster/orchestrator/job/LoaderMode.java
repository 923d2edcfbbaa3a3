package io.ringmaster.orchestrator.job;

/** Where the workers' examples come from ({@code loader.mode}). */
public enum LoaderMode {
    /** Each worker streams its row-group shard of the training Parquet (the default). */
    STREAM,
    /** Every worker samples the whole epoch in memory and takes its share of each global batch. */
    MEMORY;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static LoaderMode parse(String text) {
        for (LoaderMode m : values()) {
            if (m.id().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("loader.mode must be memory or stream, got '" + text + "'");
    }
}
