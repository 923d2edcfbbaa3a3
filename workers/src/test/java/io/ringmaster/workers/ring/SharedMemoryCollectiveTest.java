package io.ringmaster.workers.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.train.Collective;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ranks on one host exchange through shared memory, and fail as clearly as over the ring. */
class SharedMemoryCollectiveTest {

    static final byte[] SECRET = RingAuth.newSecret();
    static final RingOptions SHM = RingOptions.DEFAULT.withTimeouts(10_000, 2_000).withTransport(Transport.SHM);

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static long segments() throws IOException {
        Path shm = Paths.get("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(shm)) {
            return s.filter(p -> p.getFileName().toString().startsWith("ringmaster-gang-")).count();
        }
    }

    @Test
    void sumsAreExactAndTheSegmentIsGoneOnceEveryRankMappedIt() throws Exception {
        long before = segments();
        List<Collective> gang = LoopbackRing.gang(3, SECRET, SHM);
        try {
            assertEquals(before, segments(), "the segment file is deleted after set-up");
            int len = 700_001; // several slots of 1 MiB
            float[][] bufs = new float[3][len];
            float[] expected = new float[len];
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < len; i++) {
                    bufs[r][i] = (i * 7 + r * 13) % 1000 - 500;
                    expected[i] += bufs[r][i];
                }
            }
            List<Future<?>> fs = new ArrayList<>();
            for (Collective c : gang) {
                fs.add(pool.submit(() -> {
                    c.allReduce(bufs[c.rank()], 0, len, false);
                    c.allReduce(bufs[c.rank()], 0, 0, false);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (int r = 0; r < 3; r++) {
                assertArrayEquals(expected, bufs[r], "rank " + r);
            }
            assertEquals(4L * len, gang.get(1).denseBytesSent());
        } finally {
            gang.forEach(Collective::close);
        }
    }

    @Test
    void aRankThatLeavesFailsTheOthersAtOnceNamingIt() throws Exception {
        List<Collective> gang = LoopbackRing.gang(3, SECRET, SHM.withTimeouts(10_000, 60_000));
        try {
            gang.get(2).close(); // rank 2 failed before the step
            List<Future<?>> fs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Collective c = gang.get(r);
                fs.add(pool.submit(() -> {
                    c.allReduce(new float[10], 0, 10, new SparseRows[0]);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                long t0 = System.nanoTime();
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
                assertTrue((System.nanoTime() - t0) / 1e9 < 10, "well before the 60 s timeout");
                assertTrue(e.getCause() instanceof RingException, String.valueOf(e.getCause()));
                String m = e.getCause().getMessage();
                assertTrue(m.contains("rank 2 (127.0.0.1:") && (m.contains("left the gang")
                        || m.contains("closed the connection")), m);
            }
        } finally {
            gang.forEach(Collective::close);
        }
    }

    @Test
    void aRankThatStopsAnsweringFailsTheOthersAfterTheTimeoutNamingIt() throws Exception {
        List<Collective> gang = LoopbackRing.gang(2, SECRET, SHM);
        try {
            Future<?> f = pool.submit(() -> {
                gang.get(0).allReduce(new float[10], 0, 10, false);
                return null;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            String m = e.getCause().getMessage();
            assertTrue(m.contains("no data from rank 1 (127.0.0.1:") && m.contains("for 2.0 s")
                    && m.contains("allreduce.timeout"), m);
        } finally {
            gang.forEach(Collective::close);
        }
    }

    @Test
    void ranksThatDisagreeFailInsteadOfMixingData() throws Exception {
        List<Collective> gang = LoopbackRing.gang(2, SECRET, SHM);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (Collective c : gang) {
                int len = c.rank() == 0 ? 10 : 11;
                fs.add(pool.submit(() -> {
                    c.allReduce(new float[len], 0, len, false);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
                assertTrue(e.getCause().getMessage().contains("the ranks disagree"), e.getCause().getMessage());
            }
        } finally {
            gang.forEach(Collective::close);
        }
    }

    @Test
    void ranksOnDifferentHostsUseTheRingOrAreRefusedWhenSharedMemoryIsRequired() throws Exception {
        for (Transport t : List.of(Transport.AUTO, Transport.SHM)) {
            List<RingAllReducer> ring = LoopbackRing.form(List.of("127.0.0.1", "localhost"), SECRET,
                    SHM.withTransport(t));
            try {
                List<Future<Collective>> fs = new ArrayList<>();
                for (RingAllReducer r : ring) {
                    fs.add(pool.submit(() -> SharedMemoryCollective.over(r)));
                }
                for (Future<Collective> f : fs) {
                    if (t == Transport.AUTO) {
                        // two host names: auto seals the ring's messages as well
                        assertEquals("tcp ring, sealed", f.get(30, TimeUnit.SECONDS).transport());
                    } else {
                        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30,
                                TimeUnit.SECONDS));
                        assertTrue(e.getCause().getMessage().contains("allreduce.transport shm needs every rank on one"
                                + " host; the gang is on [127.0.0.1, localhost]"), e.getCause().getMessage());
                    }
                }
            } finally {
                ring.forEach(RingAllReducer::close);
            }
        }
    }
}
