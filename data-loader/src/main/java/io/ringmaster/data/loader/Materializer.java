package io.ringmaster.data.loader;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Interactions;
import io.ringmaster.data.ParquetTable;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes training Parquet for the loader: a dataset's training interactions ({@code user, item,
 * rating}) in row groups of about {@code --row-group-mb}, lowered automatically when the file would
 * have fewer than {@code workers × 4} row groups (the unit of sharding), with a
 * {@link LoaderManifest}. Written to a temporary directory and renamed into place when complete.
 */
public final class Materializer {

    /** Bytes per row before encoding: user, item (INT32), rating (FLOAT). */
    static final int ROW_BYTES = 12;
    static final long MIN_ROW_GROUP_BYTES = 16 * 1024;

    public record Options(double rowGroupMb, int workers, boolean overwrite) {
        public Options {
            if (!(rowGroupMb > 0) || workers < 1) {
                throw new IllegalArgumentException("--row-group-mb must be > 0 and --workers >= 1");
            }
        }
    }

    public record Result(String uri, LoaderManifest manifest, boolean lowered) {
    }

    private Materializer() {
    }

    /** The row group size to write {@code rows} with, and whether it had to be lowered for {@code workers}. */
    static long rowGroupBytes(long rows, Options o) {
        long requested = Math.max(MIN_ROW_GROUP_BYTES, (long) (o.rowGroupMb() * (1 << 20)));
        long wanted = 4L * o.workers();
        if ((rows * ROW_BYTES + requested - 1) / requested >= wanted) {
            return requested;
        }
        return Math.max(MIN_ROW_GROUP_BYTES, rows * ROW_BYTES / wanted);
    }

    public static Result fromDataset(Configuration conf, String datasetUri, String outUri, Options o, PrintStream log)
            throws IOException {
        Dataset ds = DatasetStore.read(conf, datasetUri);
        Interactions train = ds.train();
        Path out = Storage.path(outUri);
        FileSystem fs = Storage.fs(out, conf);
        if (fs.exists(out) && !o.overwrite()) {
            throw new IllegalArgumentException(Storage.display(out)
                    + " already exists (use --overwrite to replace it)");
        }
        long bytes = rowGroupBytes(train.size(), o);
        long requested = Math.max(MIN_ROW_GROUP_BYTES, (long) (o.rowGroupMb() * (1 << 20)));
        boolean lowered = bytes != requested;
        if (lowered) {
            log.printf("row groups of %.2f MB would give fewer than %d (workers x 4) for %,d rows: writing %,d KB"
                    + " row groups instead%n", o.rowGroupMb(), 4 * o.workers(), train.size(), bytes / 1024);
        }
        Path tmp = new Path(out.getParent(), "." + out.getName() + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(tmp);
            Path part = new Path(tmp, "part-00000.parquet");
            List<ColumnSpec> cols = List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item"),
                    ColumnSpec.floats("rating"));
            ParquetDataset written = null;
            long wanted = Math.min(4L * o.workers(), Math.max(1, train.size()));
            // Parquet sizes row groups by its encoded-size estimate, which dictionary encoding makes far
            // smaller than the raw bytes: when a write gives too few row groups, shrink and write again
            for (int attempt = 0; attempt < 5; attempt++) {
                ParquetTable.write(conf, part, "train", List.of(
                        ParquetTable.Column.ints("user", train.users()),
                        ParquetTable.Column.ints("item", train.items()),
                        ParquetTable.Column.floats("rating", train.ratings())), bytes);
                written = ParquetDataset.open(conf, tmp.toString(), cols, Retry.defaults());
                int groups = written.rowGroups().size();
                if (groups >= wanted || bytes <= MIN_ROW_GROUP_BYTES || attempt == 4) {
                    break;
                }
                bytes = Math.max(MIN_ROW_GROUP_BYTES, (long) (bytes * 0.8 * groups / wanted));
                fs.delete(part, false);
            }
            if (written.rowGroups().size() < wanted) {
                log.printf("warning: %d row groups, fewer than %d (workers x 4); a gang of %d or fewer can still"
                        + " shard it%n", written.rowGroups().size(), wanted, written.rowGroups().size());
            }
            LoaderManifest m = new LoaderManifest(LoaderManifest.FORMAT_VERSION, Storage.display(
                    Storage.path(datasetUri)), List.of("user:int32", "item:int32", "rating:float"), written.rows(),
                    written.rowGroups().size(), bytes, 1);
            m.write(conf, tmp);
            Path old = null;
            if (fs.exists(out)) { // keep the old copy until the new one is in place
                old = new Path(out.getParent(), "." + out.getName() + ".old-" + UUID.randomUUID());
                if (!fs.rename(out, old)) {
                    throw new IOException("cannot move " + Storage.display(out) + " aside");
                }
            }
            boolean moved;
            try {
                moved = fs.rename(tmp, out);
            } catch (IOException e) {
                moved = false;
            }
            if (!moved) {
                if (old != null && !fs.rename(old, out)) {
                    throw new IOException("cannot rename " + Storage.display(tmp) + " to " + Storage.display(out)
                            + ", and the previous copy could not be put back: it is at " + Storage.display(old));
                }
                throw new IOException("cannot rename " + Storage.display(tmp) + " to " + Storage.display(out));
            }
            if (old != null && !fs.delete(old, true)) {
                log.printf("warning: the replaced copy is left at %s%n", Storage.display(old));
            }
            return new Result(Storage.display(out), m, lowered);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
    }
}
