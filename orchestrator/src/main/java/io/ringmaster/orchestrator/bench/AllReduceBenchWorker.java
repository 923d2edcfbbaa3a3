package io.ringmaster.orchestrator.bench;

import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.FixedRendezvous;
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
 * One rank of {@code ringmaster bench allreduce}, a child process. Talks to the parent over
 * stdin/stdout: prints {@code LISTEN host:port}; reads
 * {@code PEERS rank secret-hex compression chunk-bytes peer,peer,...}; then for every {@code RUN floats iters}
 * line times {@code iters} all-reduces (after two warm-ups) and a raw TCP copy of the same bytes from
 * rank 0 to rank 1 over the ring's own sockets (timed on rank 0), printing {@code RESULT seconds-per-op raw-seconds}.
 */
public final class AllReduceBenchWorker {

    private AllReduceBenchWorker() {
    }

    public static void main(String[] args) {
        try {
            run();
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (RingListener listener = RingListener.open("127.0.0.1")) {
            System.out.println("LISTEN " + listener.address());
            System.out.flush();
            String[] p = in.readLine().split(" ");
            int rank = Integer.parseInt(p[1]);
            byte[] secret = HexFormat.of().parseHex(p[2]);
            RingOptions options = RingOptions.DEFAULT.withCompression(Compression.parse(p[3]))
                    .withChunkBytes(Integer.parseInt(p[4]));
            List<Peer> peers = Arrays.stream(p[5].split(",")).map(Peer::parse).toList();
            try (RingAllReducer ring = RingAllReducer.connect(new FixedRendezvous(rank, peers), listener, secret,
                    options)) {
                System.out.println("READY");
                System.out.flush();
                float[] barrier = new float[1];
                for (String line = in.readLine(); line != null && line.startsWith("RUN"); line = in.readLine()) {
                    String[] r = line.split(" ");
                    int floats = Integer.parseInt(r[1]);
                    int iters = Integer.parseInt(r[2]);
                    float[] buf = new float[floats];
                    Arrays.fill(buf, rank + 1);
                    for (int i = 0; i < 2; i++) {
                        ring.allReduce(buf, 0, floats, true);
                    }
                    ring.allReduce(barrier, 0, 1, false);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < iters; i++) {
                        ring.allReduce(buf, 0, floats, true);
                    }
                    double perOp = (System.nanoTime() - t0) / 1e9 / iters;
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
                        ring.rawCopy(0, (long) floats * 4);
                        ring.allReduce(barrier, 0, 1, false);
                        raw = Math.min(raw, (System.nanoTime() - c0) / 1e9 - barriers[barriers.length / 2]);
                    }
                    ring.allReduce(barrier, 0, 1, false);
                    System.out.println("RESULT " + perOp + " " + raw);
                    System.out.flush();
                }
            }
        }
    }
}
