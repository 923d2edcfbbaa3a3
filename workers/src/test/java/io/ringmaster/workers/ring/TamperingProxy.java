package io.ringmaster.workers.ring;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A host on the path between two ring neighbours, for tests: it accepts the connecting rank's one
 * connection, connects on to the real listener and copies both ways, except that what the connecting rank
 * sends after the handshake is altered as asked: one byte flipped, or its first record sent a second time
 * in place of the next.
 */
final class TamperingProxy implements AutoCloseable {

    enum Tamper { FLIP_A_BYTE, REPLAY_A_RECORD }

    private final ServerSocket server;
    private final Peer target;
    private final Tamper tamper;
    private final Thread thread;
    private volatile Socket in;
    private volatile Socket out;

    TamperingProxy(Peer target, Tamper tamper) throws IOException {
        this.server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        this.target = target;
        this.tamper = tamper;
        this.thread = new Thread(this::serve, "tampering-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    Peer address() {
        return new Peer("127.0.0.1", server.getLocalPort());
    }

    private void serve() {
        try {
            in = server.accept();
            out = new Socket(target.host(), target.port());
            Thread back = new Thread(() -> copy(quiet(out::getInputStream), quiet(in::getOutputStream)),
                    "tampering-proxy-back");
            back.setDaemon(true);
            back.start();
            forward(new DataInputStream(in.getInputStream()), out.getOutputStream());
        } catch (IOException e) {
            // a side closed: the test is over
        }
    }

    private void forward(DataInputStream from, OutputStream to) throws IOException {
        for (int part : new int[] {12 + RingAuth.NONCE_BYTES, RingAuth.MAC_BYTES}) { // hello, then proof
            byte[] handshake = new byte[part];
            from.readFully(handshake);
            to.write(handshake);
            to.flush();
        }
        if (tamper == Tamper.FLIP_A_BYTE) {
            byte[] head = new byte[64];
            from.readFully(head);
            head[40] ^= 0x10; // inside the first message (past a plain stream's 24-byte header too)
            to.write(head);
        } else {
            int length = from.readInt();
            byte[] record = new byte[length + RingLink.TAG_BYTES];
            from.readFully(record);
            for (int i = 0; i < 2; i++) {
                new java.io.DataOutputStream(to).writeInt(length);
                to.write(record);
            }
            int next = from.readInt();
            from.readFully(new byte[next + RingLink.TAG_BYTES]); // dropped: the replay stands in for it
        }
        to.flush();
        copy(from, to);
    }

    private static void copy(InputStream from, OutputStream to) {
        if (from == null || to == null) {
            return;
        }
        try {
            from.transferTo(to);
        } catch (IOException e) {
            // a side closed
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T quiet(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : new Socket[] {in, out}) {
            if (s != null) {
                s.close();
            }
        }
    }
}
