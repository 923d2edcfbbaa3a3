package io.ringmaster.orchestrator.dl4jspark;

import java.io.Serializable;

/**
 * Settings of a DL4J training-master strategy, from the job's {@code parameter-server} or
 * {@code averaging} section.
 *
 * @param kind               which training master
 * @param firstPort          first UDP port of {@code parameter-server.ports}
 * @param lastPort           last UDP port of that range
 * @param masterAddress      address executors reach the driver on; null: the driver's address
 * @param threshold          initial threshold of the adaptive update encoding
 * @param connectSeconds     time each worker gets to reach the master before training
 * @param trainersPerExecutor threads that train in each JVM's parameter-server client, whatever the
 *                           number of tasks feeding it
 * @param averagingFrequency minibatches between averages ({@code averaging})
 * @param stallSeconds       the watchdog's limit: seconds without a finished iteration
 */
public record Dl4jSparkOptions(Kind kind, int firstPort, int lastPort, String masterAddress, double threshold,
                               int connectSeconds, int trainersPerExecutor, int averagingFrequency,
                                       int stallSeconds) implements Serializable {

    /** The two DL4J training masters. */
    public enum Kind {
        PARAMETER_SERVER("parameter-server"), AVERAGING("averaging");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** The name in the job file. */
        public String id() {
            return id;
        }

        public static Kind parse(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("not a DL4J training-master strategy: " + id);
        }
    }
}
