package io.ringmaster.orchestrator.bench;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.FixedRendezvous;
import io.ringmaster.workers.ring.Integrity;
import io.ringmaster.workers.ring.Peer;
import io.ringmaster.workers.ring.RingAllReducer;
import io.ringmaster.workers.ring.RingListener;
import io.ringmaster.workers.ring.RingOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One rank of {@code ringmaster bench allreduce}, a child process (on its own host with {@code --hosts}).
 * Its one argument is the address to listen on. Talks to the parent over stdin/stdout: prints
 * {@code LISTEN host:port}; then for each {@code PEERS rank secret-hex compression chunk-bytes integrity
 * peer,peer,...} forms the ring, prints {@code READY SEALED|PLAIN}, and for every
 * {@code RUN dense|rows bytes iters} line times {@code iters} exchanges (after a quarter as many warm-ups): a dense
 * all-reduce of that many bytes of floats, or every rank's embedding rows (that many bytes of rows per
 * rank, disjoint between ranks) gathered and summed; then a raw TCP copy of the same bytes from rank 0 to
 * rank 1 over the ring's own sockets (timed on rank 0), printing
 * {@code RESULT seconds-per-op raw-seconds bytes-sent-per-op}; {@code DONE} closes the ring.
 */
public final class AllReduceBenchWorker {

    static final int ROW_WIDTH = 32;

    private AllReduceBenchWorker() {
    }

    public static void main(String[] args) {
        try {
            run(args.length > 0 ? args[0] : "127.0.0.1");
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String host) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (RingListener listener = RingListener.open(host)) {
            System.out.println("LISTEN " + listener.address());
            System.out.flush();
            for (String line = in.readLine(); line != null && line.startsWith("PEERS"); line = in.readLine()) {
                String[] p = line.split(" ");
                int rank = Integer.parseInt(p[1]);
                byte[] secret = HexFormat.of().parseHex(p[2]);
                RingOptions options = RingOptions.DEFAULT.withCompression(Compression.parse(p[3]))
                        .withChunkBytes(Integer.parseInt(p[4])).withIntegrity(Integrity.parse(p[5]));
                List<Peer> peers = Arrays.stream(p[6].split(",")).map(Peer::parse).toList();
                try (RingAllReducer ring = RingAllReducer.connect(new FixedRendezvous(rank, peers), listener, secret,
                        options)) {
                    // the JIT compiles the ring (and the sealing) here, not in the first timed rows: measured by
                    // hand, the first 50 sealed all-reduces of 1 MB took 31 ms each, the next 50 3 ms; 300 of
                    // 64 KiB were not enough (the 1 MB row still ran 2.6 times slower sealed than plain)
                    float[] warm = new float[1 << 18];
                    for (int i = 0; i < 100; i++) {
                        ring.allReduce(warm, 0, warm.length, true);
                    }
                    System.out.println("READY " + (ring.sealed() ? "SEALED" : "PLAIN"));
                    System.out.flush();
                    for (String run = in.readLine(); run != null && run.startsWith("RUN"); run = in.readLine()) {
                        String[] r = run.split(" ");
                        double[] result = measure(ring, r[1].equals("rows"), Long.parseLong(r[2]),
                                Integer.parseInt(r[3]));
                        System.out.println("RESULT " + result[0] + " " + result[1] + " " + result[2]);
                        System.out.flush();
                    }
                }
            }
        }
    }

    /** Seconds per exchange, seconds of the raw copy of {@code bytes}, and bytes this rank sent per exchange. */
    private static double[] measure(RingAllReducer ring, boolean rows, long bytes, int iters) throws Exception {
        Exchange exchange = rows ? rowsExchange(ring, bytes) : denseExchange(ring, bytes);
        float[] barrier = new float[1];
        for (int i = 0; i < Math.max(2, iters / 4); i++) { // warm-ups: the JIT compiles the sealing here
            exchange.run();
        }
        ring.allReduce(barrier, 0, 1, false);
        long sent0 = ring.denseBytesSent() + ring.rowBytesSent();
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            exchange.run();
        }
        double perOp = (System.nanoTime() - t0) / 1e9 / iters;
        double sentPerOp = (double) (ring.denseBytesSent() + ring.rowBytesSent() - sent0) / iters;
        // a tiny all-reduce is the barrier that ends a timed raw copy; its own cost is subtracted
        double[] barriers = new double[9];
        for (int i = 0; i < barriers.length; i++) {
            long b0 = System.nanoTime();
            ring.allReduce(barrier, 0, 1, false);
            barriers[i] = (System.nanoTime() - b0) / 1e9;
        }
        Arrays.sort(barriers);
        double raw = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // best of three
            ring.allReduce(barrier, 0, 1, false);
            long c0 = System.nanoTime();
            ring.rawCopy(0, bytes);
            ring.allReduce(barrier, 0, 1, false);
            raw = Math.min(raw, (System.nanoTime() - c0) / 1e9 - barriers[barriers.length / 2]);
        }
        ring.allReduce(barrier, 0, 1, false);
        return new double[] {perOp, raw, sentPerOp};
    }

    private interface Exchange {
        void run() throws Exception;
    }

    private static Exchange denseExchange(RingAllReducer ring, long bytes) {
        int floats = (int) (bytes / 4);
        float[] buf = new float[floats];
        Arrays.fill(buf, ring.rank() + 1);
        return () -> ring.allReduce(buf, 0, floats, true);
    }

    /**
     * Embedding rows as training exchanges them ({@code allreduce.embeddings: sparse}): each rank's rows of
     * one table (disjoint between ranks), gathered round the ring and summed into every rank's table; the
     * rows are set again before each exchange, since summing adds the others' rows.
     */
    private static Exchange rowsExchange(RingAllReducer ring, long bytes) {
        int n = ring.size();
        int perRank = (int) Math.max(1, bytes / (4L * (ROW_WIDTH + 1)));
        EmbeddingTable table = new EmbeddingTable("rows", 0, perRank * n, ROW_WIDTH);
        Gradient g = new Gradient(new GradientLayout(table.size(), 0, 0, List.of(table)));
        SparseRows t = g.table(0);
        float[] row = new float[ROW_WIDTH];
        Arrays.fill(row, ring.rank() + 1);
        float[] none = new float[0];
        return () -> {
            t.clear();
            t.reserve(perRank);
            for (int k = 0; k < perRank; k++) {
                t.accumulate(ring.rank() + k * n, row, 0);
            }
            ring.allReduce(none, 0, 0, g.tables());
        };
    }
}
