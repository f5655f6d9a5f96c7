package io.softverbs.benchmarks.perf.oob;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.softverbs.QpEndpoint;

/**
 * What one side tells the other before a test, as perftest exchanges LID/QPN/PSN/rkey/address over its
 * socket: the endpoints of its QPs and the memory region the peer may write, read and run atomics on.
 *
 * @param fingerprint the settings both sides must agree on (test, sizes, ...).
 * @param endpoints   one endpoint per QP, in QP order.
 * @param address     start address of the remotely accessible region.
 * @param rkey        its remote key.
 * @param length      its length in bytes.
 */
public record PeerInfo(String fingerprint, List<QpEndpoint> endpoints, long address, int rkey, long length)
{
    private static final int MAGIC = 0x53565046; // "SVPF"
    private static final int MAX_QPS = 1 << 16;

    /** Copies the endpoint list so the record stays immutable. */
    public PeerInfo
    {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * @param out where to write this description.
     * @throws IOException if the stream fails.
     */
    public void writeTo(final DataOutput out) throws IOException
    {
        out.writeInt(MAGIC);
        out.writeUTF(fingerprint);
        out.writeInt(endpoints.size());
        for (final QpEndpoint endpoint : endpoints)
        {
            out.writeUTF(endpoint.address());
            out.writeInt(endpoint.qpNum());
            out.writeInt(endpoint.psn());
        }
        out.writeLong(address);
        out.writeInt(rkey);
        out.writeLong(length);
    }

    /**
     * @param in where to read a description written by {@link #writeTo}.
     * @return the description.
     * @throws IOException if the stream fails or does not hold a description.
     */
    public static PeerInfo readFrom(final DataInput in) throws IOException
    {
        if (in.readInt() != MAGIC)
        {
            throw new IOException("the peer is not softverbs-perf (bad magic)");
        }
        final String fingerprint = in.readUTF();
        final int count = in.readInt();
        if (count < 1 || count > MAX_QPS)
        {
            throw new IOException("the peer sent " + count + " QP endpoints");
        }
        final List<QpEndpoint> endpoints = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            endpoints.add(new QpEndpoint(in.readUTF(), in.readInt(), in.readInt()));
        }
        return new PeerInfo(fingerprint, endpoints, in.readLong(), in.readInt(), in.readLong());
    }
}
