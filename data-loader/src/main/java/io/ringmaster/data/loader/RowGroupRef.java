package io.ringmaster.data.loader;

/** One row group of one Parquet file: the unit of sharding. */
public record RowGroupRef(int fileIndex, String file, int index, long rows, long bytes) {

    @Override
    public String toString() {
        return file + "#" + index;
    }
}
