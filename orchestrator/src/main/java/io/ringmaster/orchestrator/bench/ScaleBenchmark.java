package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.workers.LoaderSettings;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * {@code ringmaster bench scale}: does a step cost what its batch touches, or the catalogue? For each
 * catalogue size (entities split evenly between users and items, the same mean interactions per user)
 * it generates a power-law dataset ({@code generate}'s model, kept under the work directory for the
 * next run), then trains NeuMF (factors 8, layers 64-32-16-8, Adam 1e-3, 4 negatives, lazy Adam for
 * the tables unless told otherwise: dense Adam costs the catalogue by definition; the exchange as the
 * job default picks) for a fixed number of steps at a fixed batch per worker
 * with each gang size ({@link GangRun}), and prints samples/s, bytes sent per step and where a step's
 * time goes. The last two lines compare the largest catalogue with the smallest (1 worker) and
 * 2 workers with 1 at the largest.
 */
public final class ScaleBenchmark {

    private final List<Long> entities;
    private final int interactions;
    private final int batch;
    private final int steps;
    private final int epochs;
    private final List<Integer> workers;
    private final Path work;
    private final Path peerScript;
    private final int peerEpochs;
    private final EmbeddingOptimizer optimizer;

    public ScaleBenchmark(List<Long> entities, int interactions, int batch, int steps, int epochs,
            List<Integer> workers,
                          EmbeddingOptimizer optimizer, Path work, Path peerScript, int peerEpochs) {
        if (entities.isEmpty() || batch < 1 || steps < 1 || epochs < 1 || workers.isEmpty() || interactions < 2) {
            throw new IllegalArgumentException("bench scale: --entities, --workers, --batch, --steps and --repeats"
                    + " must be given and positive, and --interactions at least 2");
        }
        for (int n : workers) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("bench scale: --workers must be between 1 and 64, got " + n);
            }
        }
        for (long e : entities) {
            if (e < 220 || e > 2L * Integer.MAX_VALUE / 64) {
                throw new IllegalArgumentException("bench scale: --entities must be between 220 and "
                        + 2L * Integer.MAX_VALUE / 64 + ", got " + e);
            }
        }
        this.entities = entities.stream().sorted().toList();
        this.interactions = interactions;
        this.batch = batch;
        this.steps = steps;
        this.epochs = epochs;
        this.workers = workers;
        this.work = work;
        this.peerScript = peerScript;
        this.peerEpochs = peerEpochs;
        this.optimizer = optimizer;
    }

    public void run(PrintStream out) throws IOException {
        Configuration conf = Storage.configuration();
        TrainingSettings s = new TrainingSettings(epochs, batch, 4, 42, EngineKind.FUSED, 10, 1)
                .withEmbeddingOptimizer(optimizer);
        LoaderSettings loader = GangRun.STREAM;
        out.printf("bench scale: NeuMF factors 8, layers 64-32-16-8, %s, allreduce.embeddings %s, %d per worker;"
                        + " each row the median of %d rounds (every size and gang size in turn) of %d steps after %d"
                        + " warm-up steps;"
                        + " 1 BLAS thread per worker, %d cores%n", s.embeddingOptimizer().id(), s.embeddings().id(),
                                batch,
                epochs, steps, steps, Runtime.getRuntime().availableProcessors());
        out.printf("%11s %10s %10s %8s %12s %9s %22s %8s  %8s %8s %9s %7s  %s%n", "entities", "users", "items",
                "workers",
                "samples/s", "vs 1", "sent/step (dense+rows)", "ms/step", "compute", "exchange", "optimizer", "input",
                "rows/step");
        // every dataset first, then rounds: each round measures every size and gang size in turn, so a
        // machine that slows down for a while slows both sides of every ratio
        List<Catalogue> catalogues = new ArrayList<>();
        for (long e : entities) {
            Path dir = work.resolve("e" + e + "-i" + interactions);
            Dataset ds = dataset(conf, dir, e, out);
            catalogues.add(new Catalogue(e, Storage.path(dir.toString()).toString(), ds,
                    new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items()),
                    new NeuMFSpec(ds.numUsers(), ds.numItems(), 8, NeuMFSpec.DEFAULT_LAYERS, 1e-3, 42)));
        }
        Catalogue first = catalogues.get(0); // the JIT compiles the training path once, before anything is timed
        GangRun.measure(first.uri(), first.ds(), first.seen(), first.spec(), s.withBatchSize(batch * 2),
                RingOptions.DEFAULT, loader, 2, 1, steps);
        Map<String, List<GangRun.Result>> rounds = new LinkedHashMap<>();
        for (int round = 0; round < epochs; round++) {
            for (Catalogue c : catalogues) {
                for (int n : workers) {
                    rounds.computeIfAbsent(c.entities() + " " + n, k -> new ArrayList<>()).add(GangRun.measure(c.uri(),
                            c.ds(), c.seen(), c.spec(), s.withBatchSize(batch * n), RingOptions.DEFAULT, loader, n, 1,
                            steps));
                }
                if (c == catalogues.get(catalogues.size() - 1) && workers.contains(1) && workers.contains(2)) {
                    // two gangs of one at once: what this machine gives two workers that never wait for each other
                    rounds.computeIfAbsent(c.entities() + " apart", k -> new ArrayList<>()).add(GangRun.apart(c.uri(),
                            c.ds(), c.seen(), c.spec(), s.withBatchSize(batch), RingOptions.DEFAULT, loader, 2, 1,
                            steps));
                }
            }
        }
        Map<String, GangRun.Result> results = new LinkedHashMap<>();
        for (Catalogue cat : catalogues) {
            for (int n : workers) {
                String key = cat.entities() + " " + n;
                GangRun.Result r = GangRun.median(rounds.get(key));
                results.put(key, r);
                List<GangRun.Result> one = rounds.get(cat.entities() + " 1");
                printRow(out, cat, String.valueOf(n), r, one == null ? "-"
                        : String.format("%.2fx", ratio(rounds.get(key), one)));
            }
        }
        Catalogue largestCatalogue = catalogues.get(catalogues.size() - 1);
        List<GangRun.Result> apart = rounds.remove(largestCatalogue.entities() + " apart");
        if (apart != null) {
            printRow(out, largestCatalogue, "2 apart", GangRun.median(apart), String.format("%.2fx", ratio(apart,
                    rounds.get(largestCatalogue.entities() + " 1"))));
            out.printf("(2 apart: two gangs of one at once, no exchange and no waiting: the most 2 workers can reach on"
                    + " this machine at %d entities)%n", largestCatalogue.entities());
        }
        catalogues.clear();
        Dataset largest = largestCatalogue.ds();
        UserItemIndex largestSeen = largestCatalogue.seen();
        long big = entities.get(entities.size() - 1);
        long small = entities.get(0);
        if (peerScript != null) {
            PyTorchPeer peer = new PyTorchPeer(peerScript);
            String why = peer.unavailable();
            GangRun.Result mine = results.get(big + " 1");
            if (why != null || mine == null) {
                out.println("(no PyTorch peer: " + (why != null ? why : "1 worker was not measured") + ")");
            } else {
                Path dir = work.resolve("pytorch-e" + big + "-i" + interactions);
                PyTorchPeer.writeSplit(largest, largestSeen, dir);
                largest = null;
                largestSeen = null;
                System.gc(); // hand the heap back before PyTorch needs the memory
                double theirs = peer.samplesPerSecond(dir, batch, peerEpochs, out);
                out.printf("pytorch SparseAdam (1 thread, batch %d) at %d entities: %,.0f samples/s; ringmaster 1"
                        + " worker: %,.0f samples/s%n", batch, big, theirs, mine.samplesPerSecond());
                out.printf("peer: ringmaster = %.2fx pytorch SparseAdam%n", mine.samplesPerSecond() / theirs);
            }
        }
        if (rounds.containsKey(big + " 1") && rounds.containsKey(small + " 1")) {
            out.printf("catalogue: samples/s at %d entities = %.2fx samples/s at %d (1 worker)%n", big,
                    ratio(rounds.get(big + " 1"), rounds.get(small + " 1")), small);
        }
        if (rounds.containsKey(big + " 1") && rounds.containsKey(big + " 2")) {
            out.printf("gang: 2 workers = %.2fx 1 worker at %d entities (%d per worker)%n",
                    ratio(rounds.get(big + " 2"), rounds.get(big + " 1")), big, batch);
        }
    }

    /** One table row: a catalogue, a gang (or "2 apart"), its median result and its ratio to 1 worker. */
    private static void printRow(PrintStream out, Catalogue cat, String workers, GangRun.Result r, String vsOne) {
        var c = r.counters();
        out.printf("%,11d %,10d %,10d %8s %,12.0f %8s %22s %8.3f  %8.3f %8.3f %9.3f %7.3f  %s%n", cat.entities(),
                cat.ds().numUsers(), cat.ds().numItems(), workers, r.samplesPerSecond(), vsOne,
                GangScalingBenchmark.bytes(c.denseBytesPerStep()) + " + "
                        + GangScalingBenchmark.bytes(c.rowBytesPerStep()),
                r.msPerStep(), r.ms(c.computeSeconds()), r.ms(c.exchangeSeconds()), r.ms(c.optimizerSeconds()),
                r.ms(c.inputSeconds()), rows(c.rowsPerStep()));
    }

    private record Catalogue(long entities, String uri, Dataset ds, UserItemIndex seen, NeuMFSpec spec) {
    }

    /** The median over rounds of {@code a}'s samples/s over {@code b}'s in the same round. */
    private static double ratio(List<GangRun.Result> a, List<GangRun.Result> b) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).samplesPerSecond() / b.get(i).samplesPerSecond();
        }
        return TrainBenchmark.median(r);
    }

    private static String rows(Map<String, Double> rows) {
        List<String> parts = new ArrayList<>();
        rows.forEach((t, r) -> parts.add(String.format("%s %.0f", t, r)));
        return String.join(", ", parts);
    }

    /** The dataset for {@code entities}, generated once into {@code dir} and read back on later runs. */
    private Dataset dataset(Configuration conf, Path dir, long entities, PrintStream out) throws IOException {
        String uri = Storage.path(dir.toString()).toString();
        org.apache.hadoop.fs.Path p = Storage.path(uri);
        FileSystem fs = Storage.fs(p, conf);
        if (!fs.exists(new org.apache.hadoop.fs.Path(p, DatasetStore.MANIFEST))) {
            int users = (int) (entities / 2);
            int items = (int) (entities - users);
            long t0 = System.nanoTime();
            SyntheticDataset.Params d = SyntheticDataset.Params.defaults();
            SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(users, items,
                    interactions,
                    d.latentDim(), d.popularityExponent(), d.tasteStrength(), d.seed(), 1));
            DatasetManifest m = DatasetStore.write(conf, uri, r.dataset(), r.source(), r.split(), false);
            out.printf("(generated %s: %,d users, %,d items, %,d training interactions in %.0f s)%n", dir,
                    m.counts().users(), m.counts().items(), m.counts().trainInteractions(),
                    (System.nanoTime() - t0) / 1e9);
        }
        return DatasetStore.read(conf, uri);
    }
}
