package io.ringmaster.orchestrator.hosts;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Run on a host by the tests: {@code serve ADDRESS PORT} accepts one connection and counts the bytes it
 * receives, then answers with the count; {@code send ADDRESS PORT MB} sends that many MiB and prints
 * {@code sent <bytes> in <seconds>} once the server has counted them; {@code wait-http URL TEXT SECONDS}
 * fetches the URL until its body (spaces removed) contains the text, exiting 1 with the last answer if
 * it never does.
 */
public final class LinkProbe {

    private LinkProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("wait-http")) {
            long until = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
            String last = "";
            while (System.nanoTime() < until) {
                try {
                    java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(args[1])
                            .openConnection();
                    c.setConnectTimeout(2000);
                    c.setReadTimeout(5000);
                    try (java.io.InputStream in = c.getInputStream()) {
                        last = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                    if (last.replaceAll("\\s", "").contains(args[2])) {
                        System.out.println("ok");
                        return;
                    }
                } catch (java.io.IOException e) {
                    last = e.toString();
                }
                Thread.sleep(500);
            }
            System.out.println("never saw " + args[2] + " at " + args[1] + "; last: " + last);
            System.exit(1);
        }
        if (args[0].equals("serve")) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])));
                System.out.println("listening");
                System.out.flush();
                try (Socket c = s.accept(); DataInputStream in = new DataInputStream(c.getInputStream());
                     DataOutputStream out = new DataOutputStream(c.getOutputStream())) {
                    long total = in.readLong();
                    byte[] buf = new byte[1 << 16];
                    long n = 0;
                    while (n < total) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, total - n));
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    out.writeLong(n);
                }
            }
            return;
        }
        long bytes = Long.parseLong(args[3]) << 20;
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])), 5000);
            DataOutputStream out = new DataOutputStream(c.getOutputStream());
            DataInputStream in = new DataInputStream(c.getInputStream());
            byte[] buf = new byte[1 << 16];
            long t0 = System.nanoTime();
            out.writeLong(bytes);
            for (long sent = 0; sent < bytes; sent += buf.length) {
                out.write(buf, 0, (int) Math.min(buf.length, bytes - sent));
            }
            out.flush();
            long counted = in.readLong();
            System.out.printf("sent %d in %.3f%n", counted, (System.nanoTime() - t0) / 1e9);
        }
    }
}
