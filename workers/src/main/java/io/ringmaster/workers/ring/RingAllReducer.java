package io.ringmaster.workers.ring;

import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.train.Collective;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Horovod-style ring all-reduce over TCP. Rank r sends to rank r+1 and receives from rank r−1, each
 * over its own connection, authenticated at connect time with {@link RingAuth}.
 *
 * <p>The buffer is cut into N segments. In global step t (0 ≤ t &lt; 2N−2) rank r sends segment
 * (r−t) mod N and receives segment (r−t−1) mod N, adding it in during the first N−1 steps
 * (reduce-scatter) and copying it during the rest (all-gather). What a rank sends in step t is what
 * it received in step t−1, so the two streams are pipelined chunk by chunk: a chunk goes out as soon
 * as it has been reduced, without waiting for the rest of its segment. One thread drives both
 * non-blocking sockets; a transfer that makes no progress for the step timeout fails naming the
 * peer. Each call starts with a header (sequence number, length, format) that the receiver checks,
 * so ranks that disagree fail instead of mixing unrelated data.
 *
 * <p>Embedding rows ({@link #allReduce(float[], int, int, SparseRows[])}) go round the ring as an
 * all-gather: in step t (0 ≤ t &lt; N−1) rank r forwards rank (r−t)'s message and receives rank
 * (r−t−1)'s, so after N−1 steps every rank holds every rank's rows and sums them in rank order
 * ({@link RowsMessage#merge}). Their lengths come from the wire, checked against the largest message
 * the tables can make.
 */
public final class RingAllReducer implements Collective {

    private static final Logger LOG = LoggerFactory.getLogger(RingAllReducer.class);
    private static final int MAGIC = 0x524d5231; // "RMR1"
    private static final int HEADER_BYTES = 24;
    private static final int HANDSHAKE_MILLIS = 10_000;
    private static final int GATHER_MAGIC = 0x524d4731; // "RMG1"
    private static final int GATHER_HEADER_BYTES = 20;
    /**
     * Mean share of a table's rows per rank from which all-reducing the whole table costs less than the
     * ring's all-gather of rows, by gang size (index N), measured with {@code bench embeddings}
     * (docs/sparse-gradients.md).
     * A dense all-reduce sends 2(N-1)/N of the table per rank whatever was touched, the all-gather N-1
     * times a rank's rows, so the crossover falls as the gang grows; beyond 4 it follows 1.6/N.
     */
    private static final double[] DENSE_CROSSOVER = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0.8, 0.5,
            0.4};

    private final int rank;
    private final int size;
    private final List<Peer> peers;
    private final RingOptions options;
    private final SocketChannel out;
    private final SocketChannel in;
    private final RingLink outLink;
    private final RingLink inLink;
    private final Selector selector;
    private final SelectionKey outKey;
    private final SelectionKey inKey;
    private final ByteBuffer sendBuf;
    private final ByteBuffer recvBuf;
    private final float[] floats;
    private final short[] halves;
    private final RowsMessage rows = new RowsMessage();
    private byte[][] gathered;
    private int[] gatheredLength;
    private long calls;
    private long denseBytes;
    private volatile long waitNanos; // in select, nothing to send or receive yet
    private long rowBytes;
    private boolean closed;
    private boolean failed;

    private RingAllReducer(Rendezvous rv, RingOptions options, RingHandshake.Authenticated out,
                           RingHandshake.Authenticated in) throws IOException {
        this.rank = rv.rank();
        this.size = rv.size();
        this.peers = List.copyOf(rv.peers());
        this.options = options;
        this.out = out == null ? null : out.channel();
        this.in = in == null ? null : in.channel();
        if (size > 1) {
            if (options.integrity().seals(peers)) {
                int record = Math.min(options.chunkBytes(), RingLink.RECORD_BYTES);
                outLink = RingLink.sending(this.out, out.dataKey(), record, describe((rank + 1) % size));
                inLink = RingLink.receiving(this.in, in.dataKey(), record, describe((rank - 1 + size) % size));
            } else {
                outLink = RingLink.plain(this.out);
                inLink = RingLink.plain(this.in);
            }
            selector = Selector.open();
            outKey = this.out.register(selector, 0);
            inKey = this.in.register(selector, 0);
            sendBuf = ByteBuffer.allocateDirect(options.chunkBytes()).order(ByteOrder.LITTLE_ENDIAN);
            recvBuf = ByteBuffer.allocateDirect(options.chunkBytes()).order(ByteOrder.LITTLE_ENDIAN);
            floats = new float[options.chunkBytes() / 2];
            halves = new short[options.chunkBytes() / 2];
        } else {
            outLink = null;
            inLink = null;
            selector = null;
            outKey = null;
            inKey = null;
            sendBuf = null;
            recvBuf = null;
            floats = null;
            halves = null;
        }
    }

    /**
     * Forms the ring: connects to rank+1 and accepts rank−1 on {@code listener} (whose address must
     * be this rank's entry in the rendezvous), both authenticated, within the connect timeout.
     */
    public static RingAllReducer connect(Rendezvous rv, RingListener listener, byte[] secret, RingOptions options)
            throws IOException {
        int n = rv.size();
        if (rv.peers().size() != n) {
            throw new IllegalArgumentException("rendezvous lists " + rv.peers().size() + " peers for a gang of " + n);
        }
        if (n == 1) {
            return new RingAllReducer(rv, options, null, null);
        }
        RingAuth auth = new RingAuth(secret);
        int rank = rv.rank();
        int next = (rank + 1) % n;
        int prev = (rank - 1 + n) % n;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.connectTimeoutMillis());
        RingHandshake.Acceptor acceptor = new RingHandshake.Acceptor(listener, auth, rank, prev,
                rv.peers().get(prev), deadline, options.connectTimeoutMillis());
        FutureTask<RingHandshake.Authenticated> accepting = new FutureTask<>(acceptor);
        Thread t = new Thread(accepting, "ringmaster-ring-accept-" + rank);
        t.setDaemon(true);
        t.start();
        RingHandshake.Authenticated out = null;
        RingHandshake.Authenticated in = null;
        try {
            out = connectTo(rv, next, auth, deadline, options);
            long waitNanos = Math.max(0, deadline - System.nanoTime());
            try {
                in = accepting.get(waitNanos + TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw acceptor.timeout();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException io) {
                    throw io;
                }
                throw new RingException("rank " + rank + ": accepting rank " + prev + " failed: " + c, c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RingException("rank " + rank + ": interrupted while forming the ring", e);
            }
            RingAllReducer r = new RingAllReducer(rv, options, out, in);
            LOG.info("rank {}: ring of {} formed (sending to rank {} at {}, receiving from rank {} at {}{})", rank, n,
                    next, rv.peers().get(next), prev, rv.peers().get(prev),
                    r.outLink.sealed() ? "; messages sealed with AES-GCM" : "");
            return r;
        } catch (IOException | RuntimeException e) {
            acceptor.cancel();
            accepting.cancel(true);
            closeQuietly(out == null ? null : out.channel());
            closeQuietly(in == null ? null : in.channel());
            if (in == null && accepting.isDone() && !accepting.isCancelled()) {
                try {
                    closeQuietly(accepting.get().channel()); // authenticated just too late: do not leave it open
                } catch (ExecutionException | InterruptedException ignored) {
                    // nothing was accepted
                }
            }
            throw e;
        }
    }

    private static RingHandshake.Authenticated connectTo(Rendezvous rv, int next, RingAuth auth, long deadline,
                                                         RingOptions options) throws IOException {
        Peer peer = rv.peers().get(next);
        IOException last = null;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new RingException("rank " + rv.rank() + ": cannot connect to rank " + next + " at " + peer
                        + " within " + options.connectTimeoutMillis() / 1000.0 + " s"
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")"), last);
            }
            SocketChannel ch = SocketChannel.open();
            try {
                ch.socket().connect(peer.address(), (int) Math.max(1, Math.min(left, Integer.MAX_VALUE)));
                configure(ch);
                byte[] key = RingHandshake.client(ch, auth, rv.rank(), next, peer,
                        Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_MILLIS)));
                return new RingHandshake.Authenticated(ch, key);
            } catch (ConnectException | NoRouteToHostException | SocketTimeoutException
                     | RingHandshake.Interrupted e) {
                closeQuietly(ch);
                last = e;
                sleep(100);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw e;
            }
        }
    }

    static void configure(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
    }

    private static void sleep(long millis) throws RingException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RingException("interrupted while forming the ring", e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    public RingOptions options() {
        return options;
    }

    /** Listening addresses of the gang, indexed by rank. */
    public List<Peer> peers() {
        return peers;
    }

    @Override
    public long denseBytesSent() {
        return denseBytes;
    }

    @Override
    public long waitNanos() {
        return waitNanos;
    }

    @Override
    public long rowBytesSent() {
        return rowBytes;
    }

    @Override
    public double denseCrossover() {
        return size < DENSE_CROSSOVER.length ? DENSE_CROSSOVER[size] : 1.6 / size;
    }

    @Override
    public void tamperWithNextMessage() {
        if (outLink != null) {
            outLink.flipAByteOfTheNextMessage();
        }
    }

    /** Whether this ring's messages travel sealed ({@link Integrity}). */
    public boolean sealed() {
        return outLink != null && outLink.sealed();
    }

    @Override
    public String transport() {
        return size == 1 ? "none" : sealed() ? "tcp ring, sealed" : "tcp ring";
    }

    private String describe(int r) {
        return "rank " + r + " (" + peers.get(r) + ")";
    }

    @Override
    public void allReduce(float[] buf, int off, int len, boolean average) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        if (size == 1) {
            return;
        }
        if (closed || failed) {
            throw new RingException("rank " + rank + ": the ring is closed");
        }
        long call = ++calls;
        try {
            run(buf, off, len, call, average);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
        if (average) {
            float n = size;
            for (int i = off, end = off + len; i < end; i++) {
                buf[i] /= n;
            }
        }
    }

    private void run(float[] buf, int off, int len, long call, boolean average) throws IOException {
        final int n = size;
        final int steps = 2 * n - 2;
        final int base = len / n;
        final int extra = len % n;
        final int e = options.compression().bytesPerValue();
        final boolean fp16 = options.compression() == Compression.FP16;
        final int prev = (rank - 1 + n) % n;
        final int next = (rank + 1) % n;

        // the stream of values sent: segment (rank - t) for t = 0..steps-1; received: (rank - t - 1)
        long sendTotal = 0;
        long recvTotal = 0;
        for (int t = 0; t < steps; t++) {
            sendTotal += segLen(Math.floorMod(rank - t, n), base, extra);
            recvTotal += segLen(Math.floorMod(rank - t - 1, n), base, extra);
        }
        final long firstSeg = segLen(rank, base, extra);

        sendBuf.clear();
        final int format = e | (average ? 0x100 : 0);
        sendBuf.putInt(MAGIC).putLong(call).putInt(len).putInt(format).putInt(rank);
        sendBuf.flip();
        boolean headerSeen = false; // recvBuf keeps bytes of this call read during the last one

        long sent = 0; // values encoded into sendBuf
        int sendT = 0;
        int sendOff = 0;
        long received = 0; // values applied to buf
        int recvT = 0;
        int recvOff = 0;
        long lastProgress = System.nanoTime();

        while (sent < sendTotal || unsent() || received < recvTotal || !headerSeen) {
            boolean progress = false;

            // encode what is final and fits
            long sendable = Math.min(sendTotal, firstSeg + received);
            if (sent < sendable && !sendBuf.hasRemaining()) { // refill only when drained: no compaction copies
                sendBuf.clear();
                while (sent < sendable && sendBuf.remaining() >= e) {
                    int seg = Math.floorMod(rank - sendT, n);
                    int sl = segLen(seg, base, extra);
                    if (sendOff == sl) {
                        sendT++;
                        sendOff = 0;
                        continue;
                    }
                    int from = off + segStart(seg, base, extra) + sendOff;
                    int count = (int) Math.min(Math.min(sl - sendOff, sendable - sent), sendBuf.remaining() / e);
                    if (fp16) {
                        boolean gather = sendT >= n - 1;
                        for (int i = 0; i < count; i++) {
                            short h = Half.fromFloat(buf[from + i]);
                            halves[i] = h;
                            if (gather) {
                                buf[from + i] = Half.toFloat(h); // keep exactly what the others will get
                            }
                        }
                        sendBuf.asShortBuffer().put(halves, 0, count);
                    } else {
                        sendBuf.asFloatBuffer().put(buf, from, count);
                    }
                    sendBuf.position(sendBuf.position() + count * e);
                    sendOff += count;
                    sent += count;
                }
                sendBuf.flip();
            }

            if (unsent()) {
                int w = send(call, next);
                if (w > 0) {
                    denseBytes += w;
                    progress = true;
                }
            }

            if (received < recvTotal || !headerSeen) {
                int r = receive(call, prev);
                // apply what is buffered, which may include bytes read during the previous call
                recvBuf.flip();
                int before = recvBuf.remaining();
                if (!headerSeen && recvBuf.remaining() >= HEADER_BYTES) {
                    checkHeader(recvBuf, call, len, format, prev);
                    headerSeen = true;
                }
                if (headerSeen) {
                    while (recvBuf.remaining() >= e && received < recvTotal) {
                        int seg = Math.floorMod(rank - recvT - 1, n);
                        int sl = segLen(seg, base, extra);
                        if (recvOff == sl) {
                            recvT++;
                            recvOff = 0;
                            continue;
                        }
                        int to = off + segStart(seg, base, extra) + recvOff;
                        int count = Math.min(sl - recvOff, recvBuf.remaining() / e);
                        boolean add = recvT < n - 1;
                        if (fp16) {
                            recvBuf.asShortBuffer().get(halves, 0, count);
                            if (add) {
                                for (int i = 0; i < count; i++) {
                                    buf[to + i] += Half.toFloat(halves[i]);
                                }
                            } else {
                                for (int i = 0; i < count; i++) {
                                    buf[to + i] = Half.toFloat(halves[i]);
                                }
                            }
                        } else if (add) {
                            recvBuf.asFloatBuffer().get(floats, 0, count);
                            for (int i = 0; i < count; i++) {
                                buf[to + i] += floats[i];
                            }
                        } else {
                            recvBuf.asFloatBuffer().get(buf, to, count);
                        }
                        recvBuf.position(recvBuf.position() + count * e);
                        recvOff += count;
                        received += count;
                    }
                }
                if (r > 0 || recvBuf.remaining() != before) {
                    progress = true;
                }
                recvBuf.compact();
            }

            if (progress) {
                lastProgress = System.nanoTime();
            } else {
                idle(call, lastProgress, received < recvTotal || !headerSeen, prev, next);
            }
        }
        if (received != recvTotal || sent != sendTotal) {
            throw new IllegalStateException("ring accounting: sent " + sent + "/" + sendTotal + ", received "
                    + received + "/" + recvTotal);
        }
    }

    /** The ring does the whole exchange in {@link Pending#await()}. */
    @Override
    public Pending start(float[] buf, int off, int len, SparseRows[] tables) {
        return () -> allReduce(buf, off, len, tables);
    }

    @Override
    public long[] allReduce(float[] buf, int off, int len, SparseRows[] tables) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        if (size == 1) {
            long[] counts = new long[tables.length];
            for (int i = 0; i < tables.length; i++) {
                counts[i] = tables[i].count();
            }
            return counts;
        }
        if (closed || failed) {
            throw new RingException("rank " + rank + ": the ring is closed");
        }
        long call = ++calls;
        try {
            if (len > 0) {
                run(buf, off, len, call, false);
            }
            if (tables.length == 0) { // every rank has the same tables: all skip the rows
                return new long[0];
            }
            Compression c = options.compression();
            int bytes = RowsMessage.size(tables, c);
            ensureGatherBuffers();
            gathered[rank] = grow(gathered[rank], bytes);
            rows.write(tables, c, ByteBuffer.wrap(gathered[rank], 0, bytes));
            gatheredLength[rank] = bytes;
            gatherAll(call, RowsMessage.maxSize(tables, c));
            List<ByteBuffer> messages = new ArrayList<>(size);
            for (int r = 0; r < size; r++) {
                messages.add(ByteBuffer.wrap(gathered[r], 0, gatheredLength[r]));
            }
            return rows.merge(tables, messages, c);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /**
     * Every rank's {@code message} (at most {@code maxLength} bytes), indexed by rank, by a ring
     * all-gather; every rank must call it.
     */
    public byte[][] allGather(byte[] message, int maxLength) throws IOException {
        if (message.length > maxLength) {
            throw new IllegalArgumentException("message of " + message.length + " bytes, more than " + maxLength);
        }
        if (size == 1) {
            return new byte[][] {message.clone()};
        }
        if (closed || failed) {
            throw new RingException("rank " + rank + ": the ring is closed");
        }
        long call = ++calls;
        try {
            ensureGatherBuffers();
            gathered[rank] = grow(gathered[rank], message.length);
            System.arraycopy(message, 0, gathered[rank], 0, message.length);
            gatheredLength[rank] = message.length;
            gatherAll(call, maxLength);
            byte[][] out = new byte[size][];
            for (int r = 0; r < size; r++) {
                out[r] = java.util.Arrays.copyOf(gathered[r], gatheredLength[r]);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    private void ensureGatherBuffers() {
        if (gathered == null) {
            gathered = new byte[size][];
            gatheredLength = new int[size];
            for (int r = 0; r < size; r++) {
                gathered[r] = new byte[1024];
            }
        }
    }

    private static byte[] grow(byte[] b, int n) {
        return b.length >= n ? b : new byte[Math.max(n, b.length * 2)];
    }

    /** The all-gather's N−1 steps; this rank's message is in {@code gathered[rank]}. */
    private void gatherAll(long call, long maxLength) throws IOException {
        for (int t = 0; t < size - 1; t++) {
            gatherStep(call, Math.floorMod(rank - t, size), Math.floorMod(rank - t - 1, size), maxLength);
        }
    }

    /** Sends rank {@code sendOrigin}'s message to the next rank while receiving {@code recvOrigin}'s. */
    private void gatherStep(long call, int sendOrigin, int recvOrigin, long maxLength) throws IOException {
        final int prev = (rank - 1 + size) % size;
        final int next = (rank + 1) % size;
        byte[] src = gathered[sendOrigin];
        int srcLength = gatheredLength[sendOrigin];
        sendBuf.clear();
        sendBuf.putInt(GATHER_MAGIC).putLong(call).putInt(sendOrigin).putInt(srcLength);
        int queued = Math.min(srcLength, sendBuf.remaining());
        sendBuf.put(src, 0, queued);
        sendBuf.flip();
        boolean headerSeen = false;
        int expected = 0;
        int got = 0;
        long lastProgress = System.nanoTime();
        while (unsent() || queued < srcLength || !headerSeen || got < expected) {
            boolean progress = false;
            if (!sendBuf.hasRemaining() && queued < srcLength) {
                sendBuf.clear();
                int n = Math.min(srcLength - queued, sendBuf.remaining());
                sendBuf.put(src, queued, n);
                queued += n;
                sendBuf.flip();
            }
            if (unsent()) {
                int w = send(call, next);
                if (w > 0) {
                    rowBytes += w;
                    progress = true;
                }
            }
            if (!headerSeen || got < expected) {
                int r = receive(call, prev);
                recvBuf.flip();
                int before = recvBuf.remaining();
                if (!headerSeen && recvBuf.remaining() >= GATHER_HEADER_BYTES) {
                    expected = checkGatherHeader(recvBuf, call, recvOrigin, maxLength, prev);
                    gathered[recvOrigin] = grow(gathered[recvOrigin], expected);
                    headerSeen = true;
                }
                if (headerSeen && got < expected) {
                    int n = Math.min(recvBuf.remaining(), expected - got);
                    recvBuf.get(gathered[recvOrigin], got, n);
                    got += n;
                }
                if (r > 0 || recvBuf.remaining() != before) {
                    progress = true;
                }
                recvBuf.compact();
            }
            if (progress) {
                lastProgress = System.nanoTime();
            } else {
                idle(call, lastProgress, !headerSeen || got < expected, prev, next);
            }
        }
        gatheredLength[recvOrigin] = expected;
    }

    private int checkGatherHeader(ByteBuffer b, long call, int origin, long maxLength, int prev) throws RingException {
        int magic = b.getInt();
        long theirCall = b.getLong();
        int theirOrigin = b.getInt();
        int length = b.getInt();
        if (magic == MAGIC) {
            throw new RingException("rank " + rank + ": " + describe(prev) + " sent a dense all-reduce where this rank"
                    + " expected embedding rows (all-reduce #" + call + "): the ranks disagree (different model, data"
                    + " or settings)");
        }
        if (magic != GATHER_MAGIC) {
            throw new RingException("rank " + rank + ": " + describe(prev) + " sent data that is not a Ringmaster"
                    + " all-reduce frame");
        }
        if (theirCall != call || theirOrigin != origin || length < 0 || length > maxLength) {
            throw new RingException("rank " + rank + ": " + describe(prev) + " sent rank " + theirOrigin + "'s rows of "
                    + length + " bytes in all-reduce #" + theirCall + ", this rank expected rank " + origin
                    + "'s of at most " + maxLength + " in #" + call + ": the ranks disagree (different model, data"
                    + " or settings)");
        }
        return length;
    }

    /**
     * Fails when a ring neighbour has closed its connection (it failed, or its process died): for a
     * transport that leaves the ring's sockets idle while it carries the data.
     */
    void probeNeighbours(String during) throws RingException {
        if (size == 1 || closed) {
            return;
        }
        probe(in, (rank - 1 + size) % size, during);
        probe(out, (rank + 1) % size, during);
    }

    private void probe(SocketChannel ch, int peer, String during) throws RingException {
        ByteBuffer one = ByteBuffer.allocate(1);
        int r;
        try {
            r = ch.read(one);
        } catch (IOException x) {
            throw new RingException("rank " + rank + ": lost the connection to " + describe(peer) + " during " + during
                    + ": " + x.getMessage() + " (it has probably failed; see its error)", x);
        }
        if (r < 0) {
            throw new RingException("rank " + rank + ": " + describe(peer) + " closed the connection during " + during
                    + " (it has probably failed; see its error)");
        }
        if (r > 0) {
            throw new RingException("rank " + rank + ": " + describe(peer) + " sent ring data while the gang exchanges"
                    + " through shared memory: the ranks disagree on the transport");
        }
    }

    /** Bytes for the next rank not yet on the wire: in {@code sendBuf}, or in a sealed record going out. */
    private boolean unsent() {
        return sendBuf.hasRemaining() || outLink.pending();
    }

    /** Writes what the socket takes of {@code sendBuf} to the next rank; returns the bytes written. */
    private int send(long call, int next) throws RingException {
        try {
            return outLink.write(sendBuf);
        } catch (ClosedByInterruptException x) {
            throw killed(call, x);
        } catch (IOException x) {
            throw new RingException("rank " + rank + ": lost the connection to " + describe(next)
                    + " during all-reduce #" + call + ": " + x.getMessage()
                    + " (it has probably failed; see its error)", x);
        }
    }

    /** Reads what the socket has from the previous rank into {@code recvBuf}; returns the bytes read. */
    private int receive(long call, int prev) throws RingException {
        int r;
        try {
            r = inLink.read(recvBuf);
        } catch (ClosedByInterruptException x) {
            throw killed(call, x);
        } catch (RingIntegrityException x) {
            throw new RingIntegrityException("rank " + rank + ": " + x.getMessage() + " (all-reduce #" + call + ")", x);
        } catch (RingException x) {
            throw new RingException("rank " + rank + ": " + x.getMessage() + " (all-reduce #" + call + ")", x);
        } catch (IOException x) {
            throw new RingException("rank " + rank + ": lost the connection to " + describe(prev)
                    + " during all-reduce #" + call + ": " + x.getMessage()
                    + " (it has probably failed; see its error)", x);
        }
        if (r < 0) {
            throw new RingException("rank " + rank + ": " + describe(prev)
                    + " closed the connection during all-reduce #" + call
                    + " (it has probably failed; see its error)");
        }
        return r;
    }

    /**
     * A turn without progress: fails once nothing has moved for the step timeout, naming the previous
     * rank when this one still waits for data and the next when it could not take ours; else waits for
     * a socket to be ready.
     */
    private void idle(long call, long lastProgress, boolean receiving, int prev, int next) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw killed(call, null);
        }
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(options.stepTimeoutMillis());
        long idle = System.nanoTime() - lastProgress;
        if (idle >= stallNanos) {
            if (receiving) {
                throw new RingException("rank " + rank + ": no data from " + describe(prev) + " for "
                        + options.stepTimeoutMillis() / 1000.0 + " s during all-reduce #" + call
                        + " (allreduce.timeout): it is dead, hung or far behind");
            }
            throw new RingException("rank " + rank + ": " + describe(next) + " accepted no data for "
                    + options.stepTimeoutMillis() / 1000.0 + " s during all-reduce #" + call
                    + " (allreduce.timeout): it is dead, hung or far behind");
        }
        outKey.interestOps(unsent() ? SelectionKey.OP_WRITE : 0);
        inKey.interestOps(receiving ? SelectionKey.OP_READ : 0);
        long w0 = System.nanoTime();
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(stallNanos - idle)));
        waitNanos += System.nanoTime() - w0;
        selector.selectedKeys().clear();
    }

    private RingException killed(long call, Exception cause) {
        Thread.currentThread().interrupt();
        return new RingException("rank " + rank + ": interrupted during all-reduce #" + call
                + " (the task was cancelled)", cause);
    }

    private void checkHeader(ByteBuffer b, long call, int len, int format, int prev) throws RingException {
        int magic = b.getInt();
        long theirCall = b.getLong();
        int theirLen = b.getInt();
        int theirFormat = b.getInt();
        int theirRank = b.getInt();
        if (magic != MAGIC || theirRank != prev) {
            throw new RingException("rank " + rank + ": " + describe(prev) + " sent data that is not a Ringmaster"
                    + " all-reduce frame");
        }
        if (theirCall != call || theirLen != len || theirFormat != format) {
            throw new RingException("rank " + rank + ": " + describe(prev) + " is in all-reduce #" + theirCall + " of "
                    + theirLen + " values (" + formatName(theirFormat) + "), this rank in #" + call + " of " + len
                    + " (" + formatName(format) + "): the ranks disagree (different model, data or settings)");
        }
    }

    private static String formatName(int format) {
        return (format & 0xff) + " bytes per value, " + ((format & 0x100) != 0 ? "mean" : "sum");
    }

    private static int segLen(int seg, int base, int extra) {
        return base + (seg < extra ? 1 : 0);
    }

    private static int segStart(int seg, int base, int extra) {
        return seg * base + Math.min(seg, extra);
    }

    /**
     * A raw TCP copy over the ring's own sockets, for benchmarks: rank {@code from} writes {@code bytes}
     * to its successor, which reads them (no header, no arithmetic). Every rank must call it; time it
     * on the sender up to a following tiny all-reduce, which completes only once the successor has
     * read everything.
     */
    public void rawCopy(int from, long bytes) throws IOException {
        if (size == 1) {
            return;
        }
        int to = (from + 1) % size;
        if (rank == from) {
            long left = bytes;
            while (left > 0) {
                sendBuf.clear();
                sendBuf.limit((int) Math.min(sendBuf.capacity(), left));
                while (sendBuf.hasRemaining()) {
                    if (out.write(sendBuf) == 0) {
                        await(outKey, SelectionKey.OP_WRITE, "raw copy to " + describe(to));
                    }
                }
                left -= sendBuf.limit();
            }
            sendBuf.clear().flip();
        } else if (rank == to) {
            // the start of the copy may already sit in the buffer, read during the all-reduce before it
            recvBuf.flip();
            int early = (int) Math.min(recvBuf.remaining(), bytes);
            recvBuf.position(early);
            recvBuf.compact();
            early += inLink.dropUnsealed(bytes - early);
            long left = bytes - early;
            ByteBuffer sink = ByteBuffer.allocateDirect(recvBuf.capacity());
            while (left > 0) {
                sink.clear();
                sink.limit((int) Math.min(sink.capacity(), left));
                int r = in.read(sink);
                if (r < 0) {
                    throw new RingException("rank " + rank + ": " + describe(from) + " closed the connection");
                }
                if (r == 0) {
                    await(inKey, SelectionKey.OP_READ, "raw copy from " + describe(from));
                }
                left -= r;
            }
        }
    }

    private void await(SelectionKey key, int op, String what) throws IOException {
        key.interestOps(op);
        if (selector.select(options.stepTimeoutMillis()) == 0) {
            throw new RingException("rank " + rank + ": " + what + " stalled for "
                    + options.stepTimeoutMillis() / 1000.0 + " s");
        }
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    /**
     * After a failed call the ring is not used again. Its sockets close at once, except when this rank found
     * an altered message: then they stay open until {@link #close()}, so the neighbours do not fail first with
     * "connection closed" and become the reported cause.
     */
    private void fail(Exception e) {
        if (e instanceof RingIntegrityException) {
            failed = true;
        } else {
            close();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(out);
        closeQuietly(in);
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
