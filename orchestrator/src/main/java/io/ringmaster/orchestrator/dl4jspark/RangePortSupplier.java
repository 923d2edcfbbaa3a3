package io.ringmaster.orchestrator.dl4jspark;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

/**
 * The UDP port this JVM's parameter-server transport binds, picked from {@code parameter-server.ports}.
 * DL4J's {@code StaticPortSupplier} always answers 49876 (it ignores its argument), so two executors on
 * one host collide. Here each JVM starts looking at an offset given by its Spark executor id (the driver
 * at the first port), takes the first port it can bind, and keeps answering that port for the rest of
 * the job (DL4J asks several times). When no port of the range is free it fails, naming the range.
 */
public final class RangePortSupplier implements PortSupplier {

    private static final long serialVersionUID = 1L;
    /** Port chosen per job in this JVM. */
    private static final Map<String, Integer> CHOSEN = new ConcurrentHashMap<>();

    private final String job;
    private final int first;
    private final int last;

    /** {@code job}: unique per training attempt, so a new attempt probes again. */
    public RangePortSupplier(String job, int first, int last) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("bad port range " + first + "-" + last);
        }
        this.job = job;
        this.first = first;
        this.last = last;
    }

    @Override
    public int getPort() {
        return CHOSEN.computeIfAbsent(job, j -> pick(offset()));
    }

    /** Where this JVM starts in the range: 0 on the driver, 1 + executor number on executors. */
    private int offset() {
        SparkEnv env = SparkEnv.get();
        String id = env == null ? "driver" : env.executorId();
        try {
            return 1 + Integer.parseInt(id);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    int pick(int offset) {
        int size = last - first + 1;
        for (int i = 0; i < size; i++) {
            int port = first + Math.floorMod(offset + i, size);
            if (free(port)) {
                return port;
            }
        }
        throw new ParameterServerException("parameter-server: " + (size == 1 ? "UDP port " + first + " is"
                : "every UDP port of " + first + "-" + last + " is") + " taken on " + hostName()
                + " (job key parameter-server.ports): stop what holds " + (size == 1 ? "it" : "them")
                + " or give a wider range");
    }

    static boolean free(int port) {
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    @Override
    public String toString() {
        return "ports " + first + "-" + last;
    }
}
