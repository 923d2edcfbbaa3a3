package io.ringmaster.orchestrator.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorBindingTest {

    @Test
    void theMaskIsTheNarrowestSubnetHoldingOnlyTheExecutorsAddress() {
        assertEquals("10.1.2.4/30", ExecutorBinding.maskFor("10.1.2.5", List.of("127.0.0.1", "10.1.2.5", "172.17.0.1")));
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
            RangePortSupplier s = new RangePortSupplier("job-a", taken, Math.min(65535, taken + 3));
            int port = s.getPort();
            assertTrue(port > taken && port <= taken + 3, "picked " + port);
            assertEquals(port, s.getPort());
        }
    }
}
