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

    /** A connection that passed the handshake, and the key its data is sealed with when sealed. */
    record Authenticated(SocketChannel channel, byte[] dataKey) {
    }

    /**
     * The connecting side; returns the connection's data key when the peer has accepted this rank, else
     * throws naming the peer.
     */
    static byte[] client(SocketChannel ch, RingAuth auth, int rank, int serverRank, Peer peer, long deadline)
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
        if (!read(ch, ok, deadline, who)) {
            throw new Interrupted("rank " + rank + ": " + who + " closed the connection before accepting this rank's"
                    + " proof (it dropped it: see that rank's log)");
        }
        if (ok.get(0) != ACCEPTED) {
            throw new RingException("rank " + rank + ": " + who + " refused this rank's authentication");
        }
        return auth.dataKey(nonceC, nonceS, rank, serverRank);
    }

    /**
     * The accepting side: accepts connections until one from the expected predecessor authenticates,
     * dropping (and remembering) any that fail, until the deadline. Handshakes run concurrently on one
     * selector, each bounded by {@link #PER_CONNECTION_MILLIS}, and at most {@link #MAX_PENDING} at once
     * (the oldest is dropped to make room), so silent or slow strangers on the port cannot delay the
     * real peer or use up the connect timeout.
     */
    static final class Acceptor implements Callable<Authenticated> {

        static final int MAX_PENDING = 64;
        static final long PER_CONNECTION_MILLIS = 5_000;

        private final RingListener listener;
        private final RingAuth auth;
        private final int rank;
        private final int expected;
        private final Peer expectedPeer;
        private final long deadline;
        private final int timeoutMillis;
        private final List<String> rejected = new ArrayList<>();
        private int rejectedCount;
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
            if (rejectedCount > 0) {
                m.append("; dropped ").append(rejectedCount).append(" other connection(s): ")
                        .append(String.join("; ", rejected));
                if (rejectedCount > rejected.size()) {
                    m.append("; …");
                }
            }
            return new RingException(m.toString());
        }

        @Override
        public Authenticated call() throws IOException {
            java.util.ArrayDeque<Handshake> pending = new java.util.ArrayDeque<>();
            Handshake won = null;
            try (Selector sel = Selector.open()) {
                listener.channel().register(sel, SelectionKey.OP_ACCEPT);
                while (!cancelled) {
                    long now = System.nanoTime();
                    if (now - deadline >= 0) {
                        throw timeout();
                    }
                    long wake = deadline;
                    for (java.util.Iterator<Handshake> it = pending.iterator(); it.hasNext(); ) {
                        Handshake h = it.next();
                        if (now - h.until >= 0) {
                            it.remove();
                            drop(h, "sent no complete handshake within " + PER_CONNECTION_MILLIS / 1000 + " s");
                        } else if (h.until - wake < 0) {
                            wake = h.until;
                        }
                    }
                    sel.select(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(wake - now))));
                    for (SelectionKey k : sel.selectedKeys()) {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            SocketChannel ch;
                            while ((ch = listener.channel().accept()) != null) {
                                if (pending.size() >= MAX_PENDING) {
                                    drop(pending.removeFirst(), "dropped unfinished: more than " + MAX_PENDING
                                            + " connections were handshaking at once");
                                }
                                Handshake h = new Handshake(ch, System.nanoTime()
                                        + TimeUnit.MILLISECONDS.toNanos(PER_CONNECTION_MILLIS));
                                try {
                                    RingAllReducer.configure(ch);
                                    h.key = ch.register(sel, SelectionKey.OP_READ, h);
                                    pending.add(h);
                                } catch (IOException e) {
                                    drop(h, e.getMessage());
                                }
                            }
                            continue;
                        }
                        Handshake h = (Handshake) k.attachment();
                        String why;
                        try {
                            why = h.advance();
                        } catch (IOException e) {
                            why = e.getMessage();
                        }
                        if (h.done) {
                            pending.remove(h);
                            h.key.cancel();
                            won = h;
                            break;
                        }
                        if (why != null) {
                            pending.remove(h);
                            drop(h, why);
                        }
                    }
                    sel.selectedKeys().clear();
                    if (won != null) {
                        sel.selectNow(); // completes the cancelled key's deregistration
                        return new Authenticated(won.ch, auth.dataKey(won.nonceC, won.nonceS, won.theirRank, rank));
                    }
                }
                throw new RingException("rank " + rank + ": stopped waiting for rank " + expected);
            } finally {
                for (Handshake h : pending) {
                    RingAllReducer.closeQuietly(h.ch);
                }
            }
        }

        private void drop(Handshake h, String why) {
            if (h.key != null) {
                h.key.cancel();
            }
            RingAllReducer.closeQuietly(h.ch);
            reject(h.from, why);
        }

        private synchronized void reject(SocketAddress from, String why) {
            String entry = "from " + from + ": " + why;
            rejectedCount++;
            if (rejected.size() < 8) {
                rejected.add(entry);
            }
            if (rejectedCount <= 8) {
                LOG.warn("rank {}: dropped a ring connection {}", rank, entry);
            } else if (rejectedCount == 9) {
                LOG.warn("rank {}: dropping more ring connections; the rest are counted, not logged", rank);
            }
        }

        /** One incoming connection's handshake, advanced as its bytes arrive. */
        private final class Handshake {
            final SocketChannel ch;
            final SocketAddress from;
            final long until;
            SelectionKey key;
            boolean done;
            private int stage; // 0 hello in, 1 reply out, 2 proof in, 3 accepted out
            private ByteBuffer buf = ByteBuffer.allocate(HELLO_BYTES);
            private byte[] nonceC;
            private byte[] nonceS;
            private int theirRank;

            Handshake(SocketChannel ch, long until) {
                this.ch = ch;
                this.until = until;
                SocketAddress a;
                try {
                    a = ch.getRemoteAddress();
                } catch (IOException e) {
                    a = null;
                }
                this.from = a;
            }

            /** Moves on as far as the socket allows; returns why the connection is refused, else null. */
            String advance() throws IOException {
                while (true) {
                    if (stage == 0 || stage == 2) {
                        int r = ch.read(buf);
                        if (r < 0) {
                            return stage == 0 ? "closed before the handshake"
                                    : "closed after this rank's proof, without its own (a different job secret, or"
                                    + " it stopped waiting: see that rank's log)";
                        }
                        if (buf.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                            return null;
                        }
                        buf.flip();
                        String why = stage == 0 ? hello() : proof();
                        if (why != null) {
                            return why;
                        }
                    } else {
                        ch.write(buf);
                        if (buf.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                            return null;
                        }
                        if (stage == 3) {
                            done = true;
                            return null;
                        }
                        stage = 2;
                        buf = ByteBuffer.allocate(RingAuth.MAC_BYTES);
                    }
                }
            }

            private String hello() {
                if (buf.getInt() != MAGIC) {
                    return "not a Ringmaster ring handshake";
                }
                theirRank = buf.getInt();
                int wantsRank = buf.getInt();
                nonceC = new byte[RingAuth.NONCE_BYTES];
                buf.get(nonceC);
                if (theirRank != expected || wantsRank != rank) {
                    return "claims rank " + theirRank + " connecting to rank " + wantsRank + "; expected rank "
                            + expected;
                }
                nonceS = RingAuth.nonce();
                buf = ByteBuffer.allocate(REPLY_BYTES);
                buf.putInt(MAGIC).putInt(rank).put(nonceS).put(auth.proof('S', nonceC, nonceS, theirRank, rank)).flip();
                stage = 1;
                return null;
            }

            private String proof() {
                if (!RingAuth.same(buf.array(), auth.proof('C', nonceC, nonceS, theirRank, rank))) {
                    return "failed authentication (its proof does not match this job's secret)";
                }
                buf = ByteBuffer.wrap(new byte[] {ACCEPTED});
                stage = 3;
                return null;
            }
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
