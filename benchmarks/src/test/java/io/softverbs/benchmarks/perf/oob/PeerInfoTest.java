package io.softverbs.benchmarks.perf.oob;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import io.softverbs.QpEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The endpoint exchange's wire form. */
class PeerInfoTest
{
    @Test
    void survivesTheWire() throws IOException
    {
        final PeerInfo info = new PeerInfo("send_lat sizes=[32]",
            List.of(new QpEndpoint("udp://10.0.0.1:4791", 0x123, 0xabcdef), new QpEndpoint("mem://b", 7, 1)),
            0x7f00_1234_5000L, 0x1234_56, 1 << 20);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        info.writeTo(new DataOutputStream(bytes));
        assertEquals(info, PeerInfo.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
    }

    @Test
    void refusesSomethingElse()
    {
        final byte[] http = "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> PeerInfo.readFrom(new DataInputStream(new ByteArrayInputStream(http))));
    }
}
