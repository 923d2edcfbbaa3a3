package io.ringmaster.workers.ring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * The socket a rank listens on for its ring predecessor, opened before rendezvous so its port can be
 * published. Binds to the given host (the executor's address) on a free port.
 */
public final class RingListener implements AutoCloseable {

    private final ServerSocketChannel channel;
    private final Peer address;

    private RingListener(ServerSocketChannel channel, Peer address) {
        this.channel = channel;
        this.address = address;
    }

    public static RingListener open(String host) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(new InetSocketAddress(host, 0), 16);
            ch.configureBlocking(false);
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            return new RingListener(ch, new Peer(host, port));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new RingException("cannot listen on " + host + ": " + e.getMessage(), e);
        }
    }

    public Peer address() {
        return address;
    }

    ServerSocketChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
