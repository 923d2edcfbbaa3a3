package io.ringmaster.orchestrator.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorBindingTest {

    @Test
    void theMaskIsTheNarrowestSubnetHoldingOnlyTheExecutorsAddress() {
        assertEquals("10.1.2.4/30", ExecutorBinding.maskFor("10.1.2.5", List.of("127.0.0.1", "10.1.2.5",
                "172.17.0.1")));
        assertEquals("127.0.0.0/30", ExecutorBinding.maskFor("127.0.0.1", List.of("127.0.0.1", "10.1.2.5")));
        // .4 is the network address of its /30, so the /29 it is a usable host of
        assertEquals("10.1.2.0/29", ExecutorBinding.maskFor("10.1.2.4", List.of("10.1.2.4")));
    }

    @Test
    void anotherAddressOfThisHostInTheSameSmallestSubnetIsAnError() {
        Exception e = assertThrows(ParameterServerException.class, () -> ExecutorBinding.maskFor("10.1.2.5",
                List.of("10.1.2.5", "10.1.2.6")));
        assertTrue(e.getMessage().contains("leaves out this host's other addresses"), e.getMessage());
    }

    @Test
    void anAddressThatIsNotThisHostsIsAnError() {
        Exception e = assertThrows(ParameterServerException.class, () -> ExecutorBinding.maskFor("10.9.9.9",
                List.of("127.0.0.1")));
        assertTrue(e.getMessage().contains("set SPARK_LOCAL_IP"), e.getMessage());
    }

    @Test
    void eachJobPicksAFreePortOfTheRangeAndKeepsIt() throws Exception {
        try (java.net.DatagramSocket held = new java.net.DatagramSocket(new java.net.InetSocketAddress(0))) {
            int taken = held.getLocalPort();
            org.junit.jupiter.api.Assumptions.assumeTrue(taken <= 65532, "ephemeral port too close to 65535");
            RangePortSupplier a = new RangePortSupplier("job-a-" + System.nanoTime(), taken, taken + 3);
            int port = a.getPort();
            assertTrue(port > taken && port <= taken + 3, "picked " + port + " next to the taken " + taken);
            // asked again (DL4J asks several times), the job keeps its port even once it is in use
            try (java.net.DatagramSocket inUse = new java.net.DatagramSocket(new java.net.InetSocketAddress(port))) {
                assertEquals(port, a.getPort());
                // another job of this JVM (a new attempt) probes again and skips both taken ports
                int other = new RangePortSupplier("job-b-" + System.nanoTime(), taken, taken + 3).getPort();
                assertTrue(other != port && other != taken && other <= taken + 3, "picked " + other);
            }
        }
    }

    @Test
    void aRangeWithNoFreePortIsAnErrorNamingIt() throws Exception {
        try (java.net.DatagramSocket held = new java.net.DatagramSocket(new java.net.InetSocketAddress(0))) {
            int taken = held.getLocalPort();
            Exception e = assertThrows(ParameterServerException.class,
                    () -> new RangePortSupplier("job-c-" + System.nanoTime(), taken, taken).getPort());
            assertTrue(e.getMessage().startsWith("parameter-server: UDP port " + taken + " is taken on "),
                    e.getMessage());
        }
    }
}
