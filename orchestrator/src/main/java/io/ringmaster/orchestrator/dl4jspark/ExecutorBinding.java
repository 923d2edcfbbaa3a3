package io.ringmaster.orchestrator.dl4jspark;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * Makes an executor's parameter-server transport bind the executor's own address (the one Spark
 * uses for it) instead of DL4J's fallback, 127.0.0.1, which other hosts cannot reach. DL4J picks the
 * worker's address as the first local address inside {@code VoidConfiguration.networkMask}; this sets
 * that mask to the narrowest subnet around the executor's address that holds no other address of
 * this host.
 */
public final class ExecutorBinding {

    private ExecutorBinding() {
    }

    /**
     * Applies the Aeron properties and binds {@code v} to this executor's address (idempotent); returns it.
     * The driver's own executor (local masters) uses the driver's parameter server and binds nothing.
     */
    static synchronized String bind(VoidConfiguration v) {
        AeronSettings.apply();
        SparkEnv env = SparkEnv.get();
        if (env != null && "driver".equals(env.executorId())) { // SparkContext.DRIVER_IDENTIFIER
            return v.getControllerAddress();
        }
        String ip = executorAddress();
        String mask = maskFor(ip, localAddresses());
        if (!mask.equals(v.getNetworkMask())) {
            v.setNetworkMask(mask);
        }
        return ip;
    }

    /** This executor's address as Spark's block manager advertises it. */
    static String executorAddress() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            throw new ParameterServerException("parameter-server: no Spark environment in this JVM, so the executor's"
                    + " address is unknown");
        }
        String host = env.blockManager().blockManagerId().host();
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (IOException e) {
            throw new ParameterServerException("parameter-server: executor " + env.executorId() + " cannot resolve its"
                    + " own host name " + host, e);
        }
    }

    /** The IPv4 addresses of this host's interfaces that are up, as DL4J's NetworkOrganizer lists them. */
    static List<String> localAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp()) {
                    continue;
                }
                for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address) {
                        out.add(a.getAddress().getHostAddress());
                    }
                }
            }
        } catch (IOException e) {
            throw new ParameterServerException("parameter-server: cannot list this host's network interfaces", e);
        }
        return out;
    }

    /**
     * The narrowest {@code network/prefix} (prefix 30 down to 8) in whose usable host range {@code ip}
     * is the only one of {@code local} (DL4J's matcher, commons-net's SubnetUtils, excludes the network
     * and broadcast addresses).
     */
    static String maskFor(String ip, List<String> local) {
        if (!local.contains(ip)) {
            throw new ParameterServerException("parameter-server: the executor's address " + ip + " is not an address"
                    + " of this host (" + local + "); set SPARK_LOCAL_IP on the executors");
        }
        long addr = toLong(ip);
        for (int prefix = 30; prefix >= 8; prefix--) {
            long netmask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            long network = addr & netmask;
            long broadcast = network | (~netmask & 0xFFFFFFFFL);
            if (addr <= network || addr >= broadcast) {
                continue;
            }
            boolean alone = true;
            for (String other : local) {
                long o = toLong(other);
                if (!other.equals(ip) && o > network && o < broadcast) {
                    alone = false;
                    break;
                }
            }
            if (alone) {
                return fromLong(network) + "/" + prefix;
            }
            break; // wider subnets hold the other address too
        }
        throw new ParameterServerException("parameter-server: no subnet around the executor's address " + ip
                + " leaves out this host's other addresses " + local);
    }

    static long toLong(String ip) {
        String[] p = ip.split("\\.");
        long v = 0;
        for (String s : p) {
            v = (v << 8) | Integer.parseInt(s);
        }
        return v;
    }

    static String fromLong(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
