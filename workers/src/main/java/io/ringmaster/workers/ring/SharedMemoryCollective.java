package io.ringmaster.workers.ring;

import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.train.Collective;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gang's collectives through one shared memory segment, for ranks on one host (as NCCL and
 * Horovod do inside a node): every call costs a few memory copies and one arrival of every rank,
 * instead of a TCP round trip per ring step.
 *
 * <p>Each rank owns two slots (used alternately, by round parity) and a sequence number. In a round a
 * rank writes its data into its slot, publishes the round number (release), waits until every rank
 * has published it (acquire), then reads every slot and reduces in rank order, so all ranks compute
 * the same sums bit for bit. Two slots make one arrival per round enough: a rank that has published
 * round s+1 has finished reading round s, so nobody overwrites a slot still being read. Data larger
 * than a slot goes in several rounds. Dense buffers are summed slot by slot; embedding rows
 * ({@link RowsMessage}) are merged from every rank's message.
 *
 * <p>The segment is made by rank 0 in {@code /dev/shm} (else the temporary directory) and announced
 * over the ring with a random nonce that each rank checks in the file, so ranks that only share a host
 * name never share memory; it is deleted as soon as every rank has mapped it. The TCP ring stays open
 * beside it: a waiting rank checks its neighbours' sockets, so a dead process fails the gang at once,
 * and a rank that closes marks the segment, which the others see at their next wait. A wait spins
 * briefly (when there are cores for every rank), then yields, then parks; no data for
 * {@code allreduce.timeout} fails naming the silent rank.
 */
public final class SharedMemoryCollective implements Collective {

    private static final Logger LOG = LoggerFactory.getLogger(SharedMemoryCollective.class);
    private static final int MAGIC = 0x524d5348; // "RMSH"
    private static final int HEADER = 64;
    private static final int CONTROL = 64;
    private static final int SLOT_HEADER = 32;
    private static final int LIVE = 0;
    private static final int CLOSED = 1;
    private static final int DENSE = 1;
    private static final int STEP = 2;
    private static final int MAX_SEGMENT = 1 << 30;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final long SPIN_NANOS = 50_000;
    private static final long YIELD_NANOS = 2_000_000;
    private static final long PROBE_NANOS = 5_000_000;

    private final RingAllReducer ring;
    private final MappedByteBuffer segment;
    private final ByteBuffer data;
    private final int rank;
    private final int size;
    private final int slotBytes;
    private final int payload;
    private final int dataStart;
    private final Compression compression;
    private final long timeoutNanos;
    private final boolean spin;
    private final RowsMessage rows = new RowsMessage();
    private float[] values = new float[1024];
    private short[] halves = new short[1024];
    private byte[][] assembled;
    private long round;
    private long calls;
    private long denseBytes;
    private volatile long waitNanos; // blocked on the neighbours (one thread writes)
    private long rowBytes;
    private boolean closed;

    private SharedMemoryCollective(RingAllReducer ring, MappedByteBuffer segment, int slotBytes) {
        this.ring = ring;
        this.segment = segment;
        this.data = segment.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.rank = ring.rank();
        this.size = ring.size();
        this.slotBytes = slotBytes;
        this.payload = slotBytes - SLOT_HEADER;
        this.dataStart = dataStart(size);
        this.compression = ring.options().compression();
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(ring.options().stepTimeoutMillis());
        this.spin = size <= Runtime.getRuntime().availableProcessors();
    }

    /**
     * The gang's collective over a formed ring, as {@code allreduce.transport} says: shared memory when
     * it is {@code auto} or {@code shm} and every rank is on this host and maps the segment, else the
     * ring itself ({@code auto}) or a failure naming why not ({@code shm}). Every rank must call it.
     */
    public static Collective over(RingAllReducer ring) throws IOException {
        Transport wanted = ring.options().transport();
        if (ring.size() == 1 || wanted == Transport.TCP) {
            return ring;
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (Peer p : ring.peers()) {
            hosts.add(p.host());
        }
        if (hosts.size() > 1) {
            if (wanted == Transport.SHM) {
                throw new RingException("allreduce.transport shm needs every rank on one host; the gang is on "
                        + hosts);
            }
            return ring;
        }
        int n = ring.size();
        int slot = slotBytes(ring.options().chunkBytes(), n);
        int bytes = dataStart(n) + 2 * n * slot;
        Path file = null;
        MappedByteBuffer seg = null;
        String problem = null;
        try {
            byte[] announce = new byte[0];
            if (ring.rank() == 0) {
                byte[] nonce = new byte[16];
                new SecureRandom().nextBytes(nonce);
                try {
                    file = directory().resolve("ringmaster-gang-" + HexFormat.of().formatHex(nonce, 0, 8)
                            + "-" + ProcessHandle.current().pid());
                    seg = map(file, bytes, true);
                    seg.putInt(0, MAGIC).putInt(4, n).putInt(8, slot);
                    seg.put(16, nonce);
                    announce = (file + "\n" + HexFormat.of().formatHex(nonce)).getBytes(StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    problem = "rank 0 could not make a shared memory segment of " + bytes + " bytes in "
                            + directory() + ": " + e.getMessage();
                }
            }
            byte[][] got = ring.allGather(announce, 4096);
            if (ring.rank() != 0) {
                if (got[0].length == 0) {
                    problem = "rank 0 made no segment";
                } else {
                    String[] parts = new String(got[0], StandardCharsets.UTF_8).split("\n");
                    try {
                        seg = map(Paths.get(parts[0]), bytes, false);
                        byte[] nonce = new byte[16];
                        seg.get(16, nonce);
                        if (seg.getInt(0) != MAGIC || seg.getInt(4) != n || seg.getInt(8) != slot
                                || !HexFormat.of().formatHex(nonce).equals(parts[1])) {
                            problem = "rank " + ring.rank() + " found another segment at " + parts[0]
                                    + " (not on rank 0's host, or other settings)";
                        }
                    } catch (IOException | RuntimeException e) {
                        problem = "rank " + ring.rank() + " could not map " + parts[0] + ": " + e;
                    }
                }
            }
            byte[][] verdicts = ring.allGather(problem == null ? new byte[0]
                    : problem.getBytes(StandardCharsets.UTF_8), 4096);
            List<String> problems = new ArrayList<>();
            for (byte[] v : verdicts) {
                if (v.length > 0) {
                    problems.add(new String(v, StandardCharsets.UTF_8));
                }
            }
            if (!problems.isEmpty()) {
                if (wanted == Transport.SHM) {
                    throw new RingException("allreduce.transport shm: " + String.join("; ", problems));
                }
                if (ring.rank() == 0) {
                    LOG.warn("the gang's ranks share a host but not shared memory ({}); using the TCP ring",
                            String.join("; ", problems));
                }
                return ring;
            }
            LOG.info("rank {}: gang of {} exchanges through shared memory ({} KiB per slot)", ring.rank(), n,
                    slot / 1024);
            return new SharedMemoryCollective(ring, seg, slot);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file); // every rank has mapped it, or none will
                } catch (IOException e) {
                    LOG.warn("could not delete the shared memory segment {}: {}", file, e.getMessage());
                }
            }
        }
    }

    /** {@code /dev/shm}, else (no such memory file system here) the temporary directory, which the log names. */
    private static Path directory() {
        Path shm = Paths.get("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        LOG.info("no writable /dev/shm: the gang's shared memory segment goes in {}", tmp);
        return tmp;
    }

    private static MappedByteBuffer map(Path file, int bytes, boolean create) throws IOException {
        try (FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                // write every page now: a full tmpfs then fails here, as an IOException, instead of killing a rank
                // with SIGBUS at its first write into a page the file system cannot give
                ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
                for (long at = 0; at < bytes; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - at));
                    at += ch.write(zeros, at);
                }
            } else if (ch.size() != bytes) {
                throw new IOException("it holds " + ch.size() + " bytes, not " + bytes);
            }
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes); // the mapping outlives the channel
        }
    }

    private static int dataStart(int n) {
        return HEADER + n * CONTROL;
    }

    /** A slot per rank and parity of about the ring's chunk size, a multiple of 64 bytes, 1 GiB in all at most. */
    private static int slotBytes(int chunkBytes, int n) {
        long cap = (MAX_SEGMENT - dataStart(n)) / (2L * n);
        long slot = Math.min(Math.max(chunkBytes, 4096) + SLOT_HEADER, cap);
        return (int) (slot / 64 * 64);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long denseBytesSent() {
        return denseBytes;
    }

    @Override
    public long waitNanos() {
        return waitNanos + ring.waitNanos();
    }

    @Override
    public long rowBytesSent() {
        return rowBytes;
    }

    /**
     * From this mean share of a table's rows per rank, summing the whole table costs less than merging
     * everyone's rows (a hash lookup per row against sequential sums), measured with
     * {@code bench embeddings}: 0.8 for 2 ranks, 0.6 for 3, 0.5 for 4 (docs/sparse-gradients.md); 2/N beyond.
     */
    @Override
    public double denseCrossover() {
        return size == 2 ? 0.8 : size == 3 ? 0.6 : 2.0 / size;
    }

    @Override
    public String transport() {
        return "shared memory";
    }

    @Override
    public void allReduce(float[] buf, int off, int len, boolean average) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        long call = begin();
        try {
            int e = compression.bytesPerValue();
            int per = payload / e;
            for (int done = 0; done < len; ) {
                int n = Math.min(per, len - done);
                int mine = slot(nextParity(), rank);
                header(mine, DENSE, n, call, len, done);
                writeValues(buf, off + done, n, mine + SLOT_HEADER);
                denseBytes += (long) n * e;
                long s = publishAndWait(call);
                int p = (int) (s & 1);
                for (int r = 0; r < size; r++) {
                    int at = slot(p, r);
                    check(at, r, DENSE, n, call, len, done);
                    addValues(at + SLOT_HEADER, n, buf, off + done, r == 0);
                }
                done += n;
            }
        } catch (IOException | RuntimeException x) {
            close();
            throw x;
        }
        if (average) {
            float n = size;
            for (int i = off, end = off + len; i < end; i++) {
                buf[i] /= n;
            }
        }
    }

    /**
     * Writes this rank's dense values and rows (the first slot's worth of them) into its slot and
     * publishes them; {@link Pending#await()} waits for the others and reduces. When any rank's step is
     * larger than a slot, every rank learns it from the first round's headers and the gang goes on in
     * further rounds, each rank sending the rest of its message (or nothing, once done).
     */
    @Override
    public Pending start(float[] buf, int off, int len, SparseRows[] tables) throws RingException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        long call = begin();
        try {
            int e = compression.bytesPerValue();
            int denseLength = len * e;
            int rowLength = RowsMessage.size(tables, compression);
            long total = (long) denseLength + rowLength;
            if (total > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("a step's exchange of " + total + " bytes is too large");
            }
            denseBytes += denseLength;
            rowBytes += rowLength;
            int mine = slot(nextParity(), rank);
            header(mine, STEP, len, call, total, 0);
            byte[] whole = null;
            if (total <= payload) {
                writeValues(buf, off, len, mine + SLOT_HEADER);
                rows.write(tables, compression, data.duplicate().order(ByteOrder.LITTLE_ENDIAN)
                        .position(mine + SLOT_HEADER + denseLength));
            } else { // built in memory, sent a slot at a time
                ByteBuffer msg = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
                if (compression == Compression.FP16) {
                    short[] h = halves(len);
                    for (int i = 0; i < len; i++) {
                        h[i] = Half.fromFloat(buf[off + i]);
                    }
                    msg.asShortBuffer().put(h, 0, len);
                } else {
                    msg.asFloatBuffer().put(buf, off, len);
                }
                msg.position(denseLength);
                rows.write(tables, compression, msg);
                whole = msg.array();
                data.put(mine + SLOT_HEADER, whole, 0, payload);
            }
            long s = publish();
            byte[] rest = whole;
            return () -> {
                try {
                    return finish(buf, off, len, tables, denseLength, collect(s, call, len, total, rest));
                } catch (IOException | RuntimeException x) {
                    close();
                    throw x;
                }
            };
        } catch (RuntimeException x) {
            close();
            throw x;
        }
    }

    /** Sums the dense values and merges the rows of every rank's message, in rank order. */
    private long[] finish(float[] buf, int off, int len, SparseRows[] tables, int denseLength,
                          List<ByteBuffer> messages) {
        for (int r = 0; r < size; r++) {
            ByteBuffer m = messages.get(r);
            addValues(m, len, buf, off, r == 0);
            m.position(denseLength);
        }
        return rows.merge(tables, messages, compression);
    }

    /**
     * Every rank's message of the step published in round {@code s}: read in place when every message
     * fits a slot, else gathered in further rounds until the longest is complete ({@code mine}: this
     * rank's whole message when it did not fit).
     */
    private List<ByteBuffer> collect(long s, long call, int len, long total, byte[] mine) throws IOException {
        awaitAll(s, call);
        int p = (int) (s & 1);
        long[] totals = new long[size];
        boolean fits = true;
        for (int r = 0; r < size; r++) {
            totals[r] = check(slot(p, r), r, STEP, len, call, -1, 0);
            fits &= totals[r] <= payload;
        }
        List<ByteBuffer> out = new ArrayList<>(size);
        if (fits) {
            for (int r = 0; r < size; r++) {
                out.add(data.slice(slot(p, r) + SLOT_HEADER, (int) totals[r]).order(ByteOrder.LITTLE_ENDIAN));
            }
            return out;
        }
        if (assembled == null) {
            assembled = new byte[size][];
        }
        long[] have = new long[size];
        boolean more = copyParts(p, totals, have);
        while (more) {
            long from = have[rank];
            int sent = (int) Math.min(payload, total - from);
            int at = slot(nextParity(), rank);
            header(at, STEP, len, call, total, from);
            if (sent > 0) {
                data.put(at + SLOT_HEADER, mine, (int) from, sent);
            }
            long round = publishAndWait(call);
            int q = (int) (round & 1);
            for (int r = 0; r < size; r++) {
                check(slot(q, r), r, STEP, len, call, totals[r], have[r]);
            }
            more = copyParts(q, totals, have);
        }
        for (int r = 0; r < size; r++) {
            out.add(ByteBuffer.wrap(assembled[r], 0, (int) totals[r]).slice().order(ByteOrder.LITTLE_ENDIAN));
        }
        return out;
    }

    /** Copies each rank's part in the slots of {@code parity} after what it has; returns whether any is short. */
    private boolean copyParts(int parity, long[] totals, long[] have) {
        boolean more = false;
        for (int r = 0; r < size; r++) {
            if (assembled[r] == null || assembled[r].length < totals[r]) {
                assembled[r] = new byte[(int) totals[r]];
            }
            int n = (int) Math.min(payload, totals[r] - have[r]);
            data.get(slot(parity, r) + SLOT_HEADER, assembled[r], (int) have[r], n);
            have[r] += n;
            more |= have[r] < totals[r];
        }
        return more;
    }

    private long begin() throws RingException {
        if (closed) {
            throw new RingException("rank " + rank + ": the gang's shared memory is closed");
        }
        return ++calls;
    }

    private int slot(int parity, int r) {
        return dataStart + (parity * size + r) * slotBytes;
    }

    private int nextParity() {
        return (int) ((round + 1) & 1);
    }

    private void header(int at, int kind, int len, long call, long total, long offset) {
        data.putInt(at, kind).putInt(at + 4, len).putLong(at + 8, call).putLong(at + 16, total).putLong(at + 24,
                offset);
    }

    /** Checks rank r's slot header; returns its total ({@code total} < 0: any). */
    private long check(int at, int r, int kind, int len, long call, long total, long offset) throws RingException {
        int theirKind = data.getInt(at);
        int theirLen = data.getInt(at + 4);
        long theirCall = data.getLong(at + 8);
        long theirTotal = data.getLong(at + 16);
        long theirOffset = data.getLong(at + 24);
        if (theirKind != kind || theirLen != len || theirCall != call || (total >= 0 && theirTotal != total)
                || theirOffset != offset || theirTotal < 0) {
            throw disagree(r, call, "is in call #" + theirCall + " (" + (theirKind == DENSE ? "dense" : "step") + ", "
                    + theirLen + " values, at " + theirOffset + " of " + theirTotal + "), this rank in #" + call + " ("
                    + (kind == DENSE ? "dense" : "step") + ", " + len + " values, at " + offset + ")");
        }
        return theirTotal;
    }

    private RingException disagree(int r, long call, String what) {
        return new RingException("rank " + rank + ": " + describe(r) + " " + what + " in all-reduce #" + call
                + ": the ranks disagree (different model, data or settings)");
    }

    private String describe(int r) {
        return "rank " + r + " (" + ring.peers().get(r) + ")";
    }

    private void writeValues(float[] buf, int from, int n, int at) {
        if (compression == Compression.FP16) {
            short[] h = halves(n);
            for (int i = 0; i < n; i++) {
                h[i] = Half.fromFloat(buf[from + i]);
            }
            data.slice(at, 2 * n).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(h, 0, n);
        } else {
            data.slice(at, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(buf, from, n);
        }
    }

    private void addValues(int at, int n, float[] buf, int to, boolean first) {
        addValues(data.slice(at, n * compression.bytesPerValue()).order(ByteOrder.LITTLE_ENDIAN), n, buf, to, first);
    }

    /** Adds the first {@code n} values of {@code src} into {@code buf[to..]} (copies them when {@code first}). */
    private void addValues(ByteBuffer src, int n, float[] buf, int to, boolean first) {
        if (compression == Compression.FP16) {
            short[] h = halves(n);
            src.asShortBuffer().get(h, 0, n);
            if (first) {
                for (int i = 0; i < n; i++) {
                    buf[to + i] = Half.toFloat(h[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    buf[to + i] += Half.toFloat(h[i]);
                }
            }
        } else if (first) {
            src.asFloatBuffer().get(buf, to, n);
        } else {
            float[] v = values(n);
            src.asFloatBuffer().get(v, 0, n);
            if (to == 0) {
                for (int i = 0; i < n; i++) {
                    buf[i] += v[i]; // the same index: the JIT vectorises this loop
                }
            } else {
                for (int i = 0; i < n; i++) {
                    buf[to + i] += v[i];
                }
            }
        }
    }

    private float[] values(int n) {
        if (values.length < n) {
            values = new float[Math.max(n, values.length * 2)];
        }
        return values;
    }

    private short[] halves(int n) {
        if (halves.length < n) {
            halves = new short[Math.max(n, halves.length * 2)];
        }
        return halves;
    }

    /** Publishes the next round and waits until every rank has; returns the round. */
    private long publishAndWait(long call) throws IOException {
        long s = publish();
        awaitAll(s, call);
        return s;
    }

    /** Publishes the next round (after this rank's slot is written); returns it. */
    private long publish() {
        long s = ++round;
        LONG.setRelease(segment, HEADER + rank * CONTROL, s);
        return s;
    }

    private void awaitAll(long s, long call) throws IOException {
        for (int q = 0; q < size; q++) {
            if (q != rank) {
                await(q, s, call);
            }
        }
    }

    private void await(int q, long s, long call) throws IOException {
        int control = HEADER + q * CONTROL;
        if ((long) LONG.getAcquire(segment, control) >= s) {
            return;
        }
        long start = System.nanoTime();
        try {
            awaitFrom(q, s, call, control, start);
        } finally {
            waitNanos += System.nanoTime() - start;
        }
    }

    private void awaitFrom(int q, long s, long call, int control, long start) throws IOException {
        long probed = start;
        int polls = 0;
        while ((long) LONG.getAcquire(segment, control) < s) {
            if ((int) INT.getAcquire(segment, control + 8) != LIVE && (long) LONG.getAcquire(segment, control) < s) {
                // (a rank publishes before it closes: read its round again after seeing it closed)
                throw new RingException("rank " + rank + ": " + describe(q) + " left the gang during all-reduce #"
                        + call + " (it has probably failed; see its error)");
            }
            if (spin && (++polls & 63) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            long waited = now - start;
            if (spin && waited < SPIN_NANOS) {
                continue;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new RingException("rank " + rank + ": interrupted during all-reduce #" + call
                        + " (the task was cancelled)");
            }
            if (now - probed > PROBE_NANOS) {
                try {
                    ring.probeNeighbours("all-reduce #" + call);
                } catch (RingException e) {
                    if ((long) LONG.getAcquire(segment, control) >= s) {
                        return; // the round completed; a neighbour that finished closed its sockets meanwhile
                    }
                    throw e;
                }
                probed = now;
            }
            if (waited >= timeoutNanos) {
                throw new RingException("rank " + rank + ": no data from " + describe(q) + " for "
                        + timeoutNanos / 1e9 + " s during all-reduce #" + call
                        + " (allreduce.timeout): it is dead, hung or far behind");
            }
            if (waited < YIELD_NANOS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        INT.setRelease(segment, HEADER + rank * CONTROL + 8, CLOSED);
        ring.close();
    }
}
