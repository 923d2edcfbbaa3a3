package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.Batch;
import io.ringmaster.data.loader.ColumnSpec;
import io.ringmaster.data.loader.LoaderCursor;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.data.loader.ParquetDataset;
import io.ringmaster.data.loader.Retry;
import io.ringmaster.data.loader.RowGroupRef;
import io.ringmaster.data.loader.ShardLoader;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.model.FusedEngine;
import io.ringmaster.workers.train.Examples;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * {@code ringmaster bench loader}: rows/s of the streaming loader (one rank, prefetch thread, shuffle
 * window, batches) over a Parquet dataset, beside a plain single-threaded parquet-hadoop pass that
 * reads the same columns of every row group with {@code ColumnReader}s and nothing else, and beside
 * what one trainer consumes (fused NeuMF steps at the reference settings, in positives/s), all in
 * the same run. Each figure is the best of several passes of at least two seconds.
 */
public final class LoaderBenchmark {

    private static final int NEGATIVES = 4;

    private final String uri;
    private final Map<String, String> hadoop;
    private final int batch;
    private final int shuffleGroups;
    private final int prefetchGroups;

    public LoaderBenchmark(String uri, Map<String, String> hadoop, int batch, int shuffleGroups, int prefetchGroups) {
        this.uri = uri;
        this.hadoop = hadoop;
        this.batch = batch;
        this.shuffleGroups = shuffleGroups;
        this.prefetchGroups = prefetchGroups;
    }

    public void run(PrintStream out) throws IOException {
        Configuration conf = Storage.configuration(hadoop);
        List<ColumnSpec> cols = List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item"));
        ParquetDataset ds = ParquetDataset.open(conf, uri, cols, Retry.defaults());
        out.printf("bench loader: %s, %,d rows in %d row groups (largest %,d rows); columns user, item; batch %d,"
                        + " shuffle window %d row groups, prefetch %d; %d cores%n", ds.uri(), ds.rows(),
                ds.rowGroups().size(), ds.maxRowGroupRows(), batch, shuffleGroups, prefetchGroups,
                Runtime.getRuntime().availableProcessors());
        ShardLoader loader = new ShardLoader(ds, new ShardLoader.Options(batch, shuffleGroups, prefetchGroups, 1,
                NullPolicy.REJECT, Retry.defaults()), 0, 1);
        out.printf("loader memory bound: %.1f MB%n", loader.memoryBoundBytes() / 1e6);

        double plain = 0;
        double streamed = 0;
        long[] maxIds = new long[2];
        for (int round = 0; round < 3; round++) { // interleaved, best of three
            plain = Math.max(plain, timed(() -> plainPass(conf, ds, maxIds)));
            streamed = Math.max(streamed, timed(() -> loaderPass(loader)));
        }
        double positives = trainerDemand((int) maxIds[0] + 1, (int) maxIds[1] + 1);
        out.printf("%-52s %,14.0f rows/s%n", "plain parquet-hadoop ColumnReader pass (1 thread)", plain);
        out.printf("%-52s %,14.0f rows/s   %.2fx the plain pass%n", "loader (prefetch + shuffle window + batches)",
                streamed, streamed / plain);
        out.printf("%-52s %,14.0f rows/s   loader supplies %.1fx that%n",
                "one trainer's demand (fused NeuMF, batch 256, 4 neg)", positives, streamed / positives);
        out.println("goal: loader >= 0.9x the plain pass and >= 10x one trainer's demand");
    }

    private interface Pass {
        long rows() throws IOException;
    }

    /** Rows/s of passes repeated for at least two seconds. */
    private static double timed(Pass pass) throws IOException {
        long rows = 0;
        long t0 = System.nanoTime();
        do {
            rows += pass.rows();
        } while (System.nanoTime() - t0 < 2_000_000_000L);
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    /** Reads every row group's two columns with plain ColumnReaders, summing the values. */
    private static long plainPass(Configuration conf, ParquetDataset ds, long[] maxIds) throws IOException {
        long rows = 0;
        long sink = 0;
        List<String> files = new ArrayList<>();
        for (RowGroupRef g : ds.rowGroups()) {
            if (!files.contains(g.file())) {
                files.add(g.file());
            }
        }
        for (String file : files) {
            try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
                MessageType schema = r.getFooter().getFileMetaData().getSchema();
                List<Type> fields = List.of(schema.getType("user"), schema.getType("item"));
                MessageType projection = new MessageType(schema.getName(), fields);
                r.setRequestedSchema(projection);
                String createdBy = r.getFooter().getFileMetaData().getCreatedBy();
                PageReadStore pages;
                while ((pages = r.readNextRowGroup()) != null) {
                    ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages,
                            new GroupRecordConverter(projection).getRootConverter(), projection, createdBy);
                    long n = pages.getRowCount();
                    for (int c = 0; c < 2; c++) {
                        ColumnDescriptor cd = projection.getColumns().get(c);
                        ColumnReader cr = store.getColumnReader(cd);
                        boolean int64 = cd.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT64;
                        for (long i = 0; i < n; i++) {
                            long v = int64 ? cr.getLong() : cr.getInteger();
                            sink += v;
                            if (v > maxIds[c]) {
                                maxIds[c] = v;
                            }
                            cr.consume();
                        }
                    }
                    rows += n;
                }
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return rows;
    }

    /** One epoch of batches through the loader, summing the values. */
    private long loaderPass(ShardLoader loader) throws IOException {
        long rows = 0;
        long sink = 0;
        try (ShardLoader.Epoch e = loader.open(LoaderCursor.start(0))) {
            Batch b = new Batch(List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item")), batch);
            while (e.next(b)) {
                int[] u = b.ints(0);
                int[] it = b.ints(1);
                for (int k = 0; k < batch; k++) {
                    sink += u[k] + it[k];
                }
                rows += batch;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return rows;
    }

    /** Positives per second one fused trainer consumes at the reference settings (batch 256, 4 negatives). */
    private static double trainerDemand(int users, int items) {
        NeuMFKernel.useBlasThreads(1);
        NeuMFSpec spec = new NeuMFSpec(users, items, 8, new int[] {64, 32, 16, 8}, 1e-3, 42);
        int n = 256;
        int[] u = new int[n];
        int[] it = new int[n];
        float[] y = new float[n];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int k = 0; k < n; k++) {
            u[k] = rnd.nextInt(users);
            it[k] = rnd.nextInt(items);
            y[k] = k % (1 + NEGATIVES) == 0 ? 1 : 0;
        }
        Examples batch = Examples.interactions(u, it, y);
        try (FusedEngine e = new FusedEngine(spec, EmbeddingOptimizer.DEFAULT)) {
            for (int i = 0; i < 200; i++) { // warm-up
                e.computeGradient(batch, 0, n);
                e.applyUpdate();
            }
            long steps = 0;
            long t0 = System.nanoTime();
            do {
                e.computeGradient(batch, 0, n);
                e.applyUpdate();
                steps++;
            } while (System.nanoTime() - t0 < 2_000_000_000L);
            double samples = steps * n / ((System.nanoTime() - t0) / 1e9);
            return samples / (1 + NEGATIVES);
        }
    }
}
