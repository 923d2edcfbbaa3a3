package io.ringmaster.orchestrator.dl4jspark;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;

/**
 * Before the parameter server starts, every worker proves it can reach the master's UDP address and
 * port (the ones the transport will use) by a datagram that the driver echoes back; a worker that
 * gets no echo in time fails the job at once, naming its host and the master's address, instead of
 * leaving the transport to wait forever.
 */
final class MasterReachability {

    private static final byte[] HELLO = "ringmaster-parameter-server-probe".getBytes(StandardCharsets.US_ASCII);

    private MasterReachability() {
    }

    /** Echoes probes on {@code address:port} while {@code workers} tasks probe it. */
    static void check(JavaSparkContext jsc, String address, int port, int workers, int timeoutSeconds)
            throws IOException, SparkException {
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port))) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[256];
                while (!echo.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "ringmaster-ps-probe-echo");
            t.setDaemon(true);
            t.start();
            requireReachable(jsc, address, port, workers, timeoutSeconds);
        } catch (java.net.BindException e) {
            throw new ParameterServerException("parameter-server: cannot bind the master's UDP address " + address + ":"
                    + port + " on the driver (" + e.getMessage() + "); check parameter-server.master-address and"
                    + " parameter-server.ports", e);
        }
    }

    /** Runs {@code workers} tasks that each need an echo from {@code address:port} within the timeout. */
    static void requireReachable(JavaSparkContext jsc, String address, int port, int workers, int timeoutSeconds)
            throws SparkException {
        List<Integer> ids = IntStream.range(0, workers).boxed().toList();
        try {
            jsc.parallelize(ids, workers).foreachPartition(new Probe(address, port, timeoutSeconds));
        } catch (Exception e) { // Spark's SparkException, undeclared from Scala
            if (e instanceof SparkException se) {
                String probeSays = probeMessage(se);
                if (probeSays != null) {
                    throw new ParameterServerException(probeSays, se);
                }
                throw se; // something else (a lost executor, ...): the attempt fails as any other would
            }
            throw e;
        }
    }

    /** The probe task's own message out of Spark's report, or null when a probe did not fail by itself. */
    private static String probeMessage(SparkException e) {
        String text = String.valueOf(e.getMessage());
        String marker = ParameterServerException.class.getName() + ": ";
        int at = text.indexOf(marker);
        if (at < 0) {
            return null;
        }
        String rest = text.substring(at + marker.length());
        int nl = rest.indexOf('\n');
        return nl >= 0 ? rest.substring(0, nl) : rest;
    }

    private static final class Probe implements VoidFunction<Iterator<Integer>> {

        private static final long serialVersionUID = 1L;
        private final String address;
        private final int port;
        private final int timeoutSeconds;

        Probe(String address, int port, int timeoutSeconds) {
            this.address = address;
            this.port = port;
            this.timeoutSeconds = timeoutSeconds;
        }

        @Override
        public void call(Iterator<Integer> ignored) throws Exception {
            InetSocketAddress master = new InetSocketAddress(InetAddress.getByName(address), port);
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(250);
                byte[] buf = new byte[256];
                while (System.nanoTime() < deadline) {
                    s.send(new DatagramPacket(HELLO, HELLO.length, master));
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        s.receive(p);
                        if (p.getLength() == HELLO.length) {
                            return;
                        }
                    } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
                        // not yet: send again
                    }
                }
            }
            SparkEnv env = SparkEnv.get();
            String who = env == null ? "a worker" : "executor " + env.executorId() + " on "
                    + env.blockManager().blockManagerId().host();
            throw new ParameterServerException("parameter-server: " + who + " cannot reach the master at " + address
                    + ":" + port + " (UDP, no answer within " + timeoutSeconds + " s): check"
                    + " parameter-server.master-address and that UDP ports parameter-server.ports are open between"
                    + " the executors and the driver");
        }
    }
}
