package io.ringmaster.workers.ring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of a ring connection, as the ring's code writes and reads it: the socket itself, or,
 * sealed ({@link Integrity}), a stream of records. What the ring hands over goes as records of at most
 * {@link #RECORD_BYTES}: the length (4 bytes, authenticated too), then the message encrypted with
 * AES-128-GCM and the 16-byte tag, under the connection's own key ({@link RingAuth#dataKey}) and a nonce
 * that counts the records. The
 * receiver hands on only records that left the peer unaltered, once and in order; a record that fails its
 * tag (a byte flipped, a record replayed, dropped, reordered or injected on the path) fails the all-reduce
 * naming the peer.
 *
 * <p>Reading opens at most one record per call and only when the last one has been handed over, so bytes
 * that follow the ring's data (a benchmark's raw copy) are never taken for a record.
 */
final class RingLink {

    static final int KEY_BYTES = 16;
    /**
     * The largest record: a record is used only once it has all arrived, so records as large as a
     * segment would stop the ring's pipelining (measured over a 1 Gbit/s link: a sealed all-reduce of 1 MB
     * between two hosts took 19 ms in 512 KiB records, against 9 ms plain).
     */
    static final int RECORD_BYTES = 64 << 10;
    static final int LENGTH_BYTES = 4;
    static final int TAG_BYTES = 16;

    private final SocketChannel ch;
    private final String peer;
    private final SecretKeySpec key;
    private final Cipher cipher;
    private final int maxMessage;
    private final ByteBuffer wire;
    private final ByteBuffer plain;
    private final byte[] nonce = new byte[12];
    private long records;
    private boolean flipNext;

    private RingLink(SocketChannel ch, String peer, byte[] key, int maxMessage, boolean receiving) {
        this.ch = ch;
        this.peer = peer;
        this.maxMessage = maxMessage;
        if (key == null) {
            this.key = null;
            this.cipher = null;
            this.wire = null;
            this.plain = null;
            return;
        }
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM unavailable in this JVM", e);
        }
        this.wire = ByteBuffer.allocateDirect(LENGTH_BYTES + maxMessage + TAG_BYTES);
        if (receiving) {
            this.plain = ByteBuffer.allocateDirect(maxMessage).flip();
        } else {
            this.plain = null;
            wire.flip(); // nothing to send yet
        }
    }

    /** The socket as it is. */
    static RingLink plain(SocketChannel ch) {
        return new RingLink(ch, null, null, 0, false);
    }

    /** Sends records of at most {@code maxMessage} bytes sealed under {@code key} to {@code peer}. */
    static RingLink sending(SocketChannel ch, byte[] key, int maxMessage, String peer) {
        return new RingLink(ch, peer, key, maxMessage, false);
    }

    /** Opens records of at most {@code maxMessage} bytes sealed under {@code key} from {@code peer}. */
    static RingLink receiving(SocketChannel ch, byte[] key, int maxMessage, String peer) {
        return new RingLink(ch, peer, key, maxMessage, true);
    }

    boolean sealed() {
        return cipher != null;
    }

    SocketChannel channel() {
        return ch;
    }

    /** Bytes of a sealed record not yet on the wire. */
    boolean pending() {
        return cipher != null && wire.hasRemaining();
    }

    /**
     * Takes the next record's worth of {@code src} when no record is still going out, and writes what the
     * socket takes; returns the bytes put on the wire.
     */
    int write(ByteBuffer src) throws IOException {
        if (cipher == null) {
            if (flipNext && src.remaining() > 40) {
                flipNext = false;
                int at = src.position() + 40; // past the 24-byte header: a value
                src.put(at, (byte) (src.get(at) ^ 0x10));
            }
            return ch.write(src);
        }
        if (!wire.hasRemaining() && src.hasRemaining()) {
            seal(src);
            if (flipNext && wire.remaining() > 40) {
                flipNext = false;
                wire.put(40, (byte) (wire.get(40) ^ 0x10));
            }
        }
        return wire.hasRemaining() ? ch.write(wire) : 0;
    }

    /** Fault injection: the next message (at least 41 bytes) leaves with one byte flipped. */
    void flipAByteOfTheNextMessage() {
        flipNext = true;
    }

    private void seal(ByteBuffer src) throws IOException {
        int n = Math.min(src.remaining(), maxMessage);
        ByteBuffer message = src.duplicate();
        message.limit(message.position() + n);
        wire.clear();
        wire.putInt(n);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(records)));
            cipher.updateAAD(wire.duplicate().flip());
            cipher.doFinal(message, wire);
        } catch (GeneralSecurityException e) {
            throw new RingException("sealing message #" + (records + 1) + " to " + peer + " failed: " + e, e);
        }
        records++;
        src.position(src.position() + n);
        wire.flip();
    }

    /**
     * Moves what has arrived towards {@code dst}: plain, what the socket has; sealed, the rest of the last
     * opened record or else one newly complete record. Returns the bytes read from the socket plus those
     * handed to {@code dst} (0: nothing moved), or -1 when the peer closed the connection and nothing is
     * left to hand over.
     */
    int read(ByteBuffer dst) throws IOException {
        if (cipher == null) {
            return ch.read(dst);
        }
        int moved = 0;
        if (!plain.hasRemaining()) {
            int r = ch.read(wire);
            if (r > 0) {
                moved += r;
            }
            if (!open() && r < 0) {
                return -1;
            }
        }
        int n = Math.min(plain.remaining(), dst.remaining());
        if (n > 0) {
            ByteBuffer part = plain.duplicate();
            part.limit(part.position() + n);
            dst.put(part);
            plain.position(plain.position() + n);
            moved += n;
        }
        return moved;
    }

    /** Opens the record at the head of {@code wire} if it is complete; true when one was opened. */
    private boolean open() throws IOException {
        if (wire.position() < LENGTH_BYTES) {
            return false;
        }
        int n = wire.getInt(0);
        if (n < 1 || n > maxMessage) {
            throw new RingException(peer + " sent record #" + (records + 1) + " of " + n + " bytes (at most "
                    + maxMessage + "): the stream was altered in transit or is not this ring's (allreduce.integrity)");
        }
        if (wire.position() < LENGTH_BYTES + n + TAG_BYTES) {
            return false;
        }
        wire.flip();
        ByteBuffer aad = wire.duplicate();
        aad.limit(LENGTH_BYTES);
        ByteBuffer body = wire.duplicate();
        body.position(LENGTH_BYTES).limit(LENGTH_BYTES + n + TAG_BYTES);
        plain.clear();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(records)));
            cipher.updateAAD(aad);
            cipher.doFinal(body, plain);
        } catch (AEADBadTagException e) {
            throw new RingIntegrityException("message #" + (records + 1) + " from " + peer + " failed its integrity"
                    + " check: it was altered, replayed, reordered or injected on the way (allreduce.integrity)", e);
        } catch (GeneralSecurityException e) {
            throw new RingException("opening message #" + (records + 1) + " from " + peer + " failed: " + e, e);
        }
        records++;
        plain.flip();
        wire.position(LENGTH_BYTES + n + TAG_BYTES);
        wire.compact();
        return true;
    }

    /**
     * Drops up to {@code bytes} of what arrived after the last record (a benchmark's raw copy that followed
     * the ring's data); returns how many were dropped.
     */
    int dropUnsealed(long bytes) {
        if (cipher == null) {
            return 0;
        }
        wire.flip();
        int n = (int) Math.min(wire.remaining(), bytes);
        wire.position(n);
        wire.compact();
        return n;
    }

    private byte[] nonce(long record) {
        // 4 zero bytes then the record's number: never repeated under one connection's key
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (record >>> (56 - 8 * i));
        }
        return nonce;
    }
}
