package io.ringmaster.workers.ring;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over the job secret: the token each rank publishes with its address at rendezvous, and
 * the proofs exchanged when two ring neighbours connect (challenge–response over fresh nonces, both
 * directions), so a process without the secret can neither join the ring nor pose as a member; and the
 * key each connection's messages are sealed with ({@link RingLink}).
 */
public final class RingAuth {

    public static final int SECRET_BYTES = 32;
    public static final int NONCE_BYTES = 16;
    public static final int MAC_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public RingAuth(byte[] secret) {
        if (secret == null || secret.length < 16) {
            throw new IllegalArgumentException("the job secret must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** A fresh random job secret. */
    public static byte[] newSecret() {
        byte[] s = new byte[SECRET_BYTES];
        RANDOM.nextBytes(s);
        return s;
    }

    static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The token a rank publishes beside its address at rendezvous. */
    public String rendezvousToken(int rank, Peer address) {
        return HexFormat.of().formatHex(mac(("rendezvous|" + rank + "|" + address).getBytes(StandardCharsets.UTF_8)));
    }

    /** True when {@code token} is this job's token for {@code rank} at {@code address}. */
    public boolean checkRendezvousToken(int rank, Peer address, String token) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given,
                mac(("rendezvous|" + rank + "|" + address).getBytes(StandardCharsets.UTF_8)));
    }

    /** The proof of one side of a connection ({@code role} 'C' connecting, 'S' accepting). */
    byte[] proof(char role, byte[] clientNonce, byte[] serverNonce, int clientRank, int serverRank) {
        ByteBuffer b = ByteBuffer.allocate(1 + NONCE_BYTES * 2 + 8);
        b.put((byte) role).put(clientNonce).put(serverNonce).putInt(clientRank).putInt(serverRank);
        return mac(b.array());
    }

    /**
     * The key that seals the data one connection carries: fresh for every connection (both nonces) and
     * bound to the two ranks, so a record cannot be replayed onto another connection or job.
     */
    byte[] dataKey(byte[] clientNonce, byte[] serverNonce, int clientRank, int serverRank) {
        byte[] k = proof('D', clientNonce, serverNonce, clientRank, serverRank);
        return java.util.Arrays.copyOf(k, RingLink.KEY_BYTES);
    }

    static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    private byte[] mac(byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
