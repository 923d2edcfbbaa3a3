package io.ringmaster.workers.ring;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutual authentication of two ring neighbours when they connect. The connecting side sends its rank,
 * the rank it expects and a nonce; the accepting side answers with its rank, its own nonce and an HMAC
 * proof over both nonces and ranks; the connecting side checks it and answers with its own proof; the
 * accepting side checks that and confirms with one byte. Every read is bounded by the message size
 * and a deadline.
 */
final class RingHandshake {

    private static final Logger LOG = LoggerFactory.getLogger(RingHandshake.class);
    private static final int MAGIC = 0x524d4831; // "RMH1"
    private static final int HELLO_BYTES = 12 + RingAuth.NONCE_BYTES;
    private static final int REPLY_BYTES = 8 + RingAuth.NONCE_BYTES + RingAuth.MAC_BYTES;
    private static final byte ACCEPTED = 1;

    private RingHandshake() {
    }

    /** A handshake that timed out or was cut before any proof was checked: worth another try. */
    static final class Interrupted extends RingException {
        Interrupted(String message) {
            super(message);
        }
    }

    /** The connecting side; returns when the peer has accepted this rank, else throws naming the peer. */
    static void client(SocketChannel ch, RingAuth auth, int rank, int serverRank, Peer peer, long deadline)
            throws IOException {
        String who = "rank " + serverRank + " (" + peer + ")";
        byte[] nonceC = RingAuth.nonce();
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        hello.putInt(MAGIC).putInt(rank).putInt(serverRank).put(nonceC).flip();
        write(ch, hello, deadline, who);
        ByteBuffer reply = ByteBuffer.allocate(REPLY_BYTES);
        if (!read(ch, reply, deadline, who)) {
            throw new Interrupted("rank " + rank + ": " + who + " closed the connection during the handshake");
        }
        reply.flip();
        if (reply.getInt() != MAGIC) {
            throw new RingException("rank " + rank + ": " + who + " is not a Ringmaster ring endpoint");
        }
        int theirRank = reply.getInt();
        byte[] nonceS = new byte[RingAuth.NONCE_BYTES];
        reply.get(nonceS);
        byte[] proofS = new byte[RingAuth.MAC_BYTES];
        reply.get(proofS);
        if (theirRank != serverRank) {
            throw new RingException("rank " + rank + ": the endpoint at " + peer + " answered as rank " + theirRank
                    + ", expected rank " + serverRank);
        }
        if (!RingAuth.same(proofS, auth.proof('S', nonceC, nonceS, rank, serverRank))) {
            throw new RingException("rank " + rank + ": " + who
                    + " failed authentication: its proof does not match this job's secret; connection dropped");
        }
        ByteBuffer proofC = ByteBuffer.wrap(auth.proof('C', nonceC, nonceS, rank, serverRank));
        write(ch, proofC, deadline, who);
        ByteBuffer ok = ByteBuffer.allocate(1);
        if (!read(ch, ok, deadline, who) || ok.get(0) != ACCEPTED) {
            throw new RingException("rank " + rank + ": " + who + " refused this rank's authentication"
                    + " (the two hold different job secrets)");
        }
    }

    /**
     * The accepting side: accepts connections until one from the expected predecessor authenticates,
     * dropping (and remembering) any that fail, until the deadline.
     */
    static final class Acceptor implements Callable<SocketChannel> {

        private final RingListener listener;
        private final RingAuth auth;
        private final int rank;
        private final int expected;
        private final Peer expectedPeer;
        private final long deadline;
        private final int timeoutMillis;
        private final List<String> rejected = new ArrayList<>();
        private volatile boolean cancelled;

        Acceptor(RingListener listener, RingAuth auth, int rank, int expected, Peer expectedPeer, long deadline,
                 int timeoutMillis) {
            this.listener = listener;
            this.auth = auth;
            this.rank = rank;
            this.expected = expected;
            this.expectedPeer = expectedPeer;
            this.deadline = deadline;
            this.timeoutMillis = timeoutMillis;
        }

        void cancel() {
            cancelled = true;
        }

        synchronized RingException timeout() {
            StringBuilder m = new StringBuilder("rank " + rank + ": rank " + expected + " (" + expectedPeer
                    + ") did not connect within " + timeoutMillis / 1000.0 + " s (allreduce.connect-timeout)");
            if (!rejected.isEmpty()) {
                m.append("; dropped ").append(rejected.size()).append(" connection(s) that failed authentication: ")
                        .append(String.join("; ", rejected));
            }
            return new RingException(m.toString());
        }

        @Override
        public SocketChannel call() throws IOException {
            try (Selector sel = Selector.open()) {
                listener.channel().register(sel, SelectionKey.OP_ACCEPT);
                while (!cancelled) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw timeout();
                    }
                    sel.select(Math.min(left, 200));
                    sel.selectedKeys().clear();
                    SocketChannel ch = listener.channel().accept();
                    if (ch == null) {
                        continue;
                    }
                    SocketAddress from = ch.getRemoteAddress();
                    try {
                        RingAllReducer.configure(ch);
                        // a short limit per connection, so a silent one (a port scan) cannot hold up the ring
                        String why = serve(ch, Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(5)));
                        if (why == null && !cancelled) {
                            return ch;
                        }
                        if (why == null) {
                            break;
                        }
                        reject(from, why);
                    } catch (IOException e) {
                        reject(from, e.getMessage());
                    }
                    RingAllReducer.closeQuietly(ch);
                }
                throw new RingException("rank " + rank + ": stopped waiting for rank " + expected);
            }
        }

        private synchronized void reject(SocketAddress from, String why) {
            String entry = "from " + from + ": " + why;
            rejected.add(entry);
            LOG.warn("rank {}: dropped a ring connection {}", rank, entry);
        }

        /** Returns null when the peer authenticated, else why not. */
        private String serve(SocketChannel ch, long until) throws IOException {
            String who = "connecting peer";
            ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
            if (!read(ch, hello, until, who)) {
                return "closed before the handshake";
            }
            hello.flip();
            if (hello.getInt() != MAGIC) {
                return "not a Ringmaster ring handshake";
            }
            int theirRank = hello.getInt();
            int wantsRank = hello.getInt();
            byte[] nonceC = new byte[RingAuth.NONCE_BYTES];
            hello.get(nonceC);
            if (theirRank != expected || wantsRank != rank) {
                return "claims rank " + theirRank + " connecting to rank " + wantsRank + "; expected rank " + expected;
            }
            byte[] nonceS = RingAuth.nonce();
            ByteBuffer reply = ByteBuffer.allocate(REPLY_BYTES);
            reply.putInt(MAGIC).putInt(rank).put(nonceS).put(auth.proof('S', nonceC, nonceS, theirRank, rank)).flip();
            write(ch, reply, until, who);
            ByteBuffer proofC = ByteBuffer.allocate(RingAuth.MAC_BYTES);
            if (!read(ch, proofC, until, who)) {
                return "closed during the handshake (it could not verify this rank: different job secret?)";
            }
            if (!RingAuth.same(proofC.array(), auth.proof('C', nonceC, nonceS, theirRank, rank))) {
                return "failed authentication (its proof does not match this job's secret)";
            }
            write(ch, ByteBuffer.wrap(new byte[] {ACCEPTED}), until, who);
            return null;
        }
    }

    /** Fills {@code b}; false on end of stream. */
    private static boolean read(SocketChannel ch, ByteBuffer b, long deadline, String who) throws IOException {
        try (Selector sel = Selector.open()) {
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            while (b.hasRemaining()) {
                int r = ch.read(b);
                if (r < 0) {
                    return false;
                }
                if (r == 0) {
                    waitFor(sel, deadline, who);
                }
            }
            key.cancel();
            return true;
        }
    }

    private static void write(SocketChannel ch, ByteBuffer b, long deadline, String who) throws IOException {
        try (Selector sel = Selector.open()) {
            SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
            while (b.hasRemaining()) {
                if (ch.write(b) == 0) {
                    waitFor(sel, deadline, who);
                }
            }
            key.cancel();
        }
    }

    private static void waitFor(Selector sel, long deadline, String who) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new Interrupted("handshake with " + who + " timed out");
        }
        sel.select(left);
        sel.selectedKeys().clear();
    }
}
