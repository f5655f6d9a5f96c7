package io.softverbs.benchmarks.perf;

/**
 * The eight perftest tests softverbs-perf runs, named as the perftest binaries are ({@code ib_send_lat} is
 * {@code send_lat}).
 */
public enum PerfTest
{
    /** SEND/RECV ping-pong; reports half the round trip. */
    SEND_LAT("send_lat", "Send Latency Test", Verb.SEND, true),
    /** RDMA WRITE ping-pong, each side polling the last byte of its buffer; reports half the round trip. */
    WRITE_LAT("write_lat", "RDMA_Write Latency Test", Verb.WRITE, true),
    /** One RDMA READ at a time; reports the whole round trip. */
    READ_LAT("read_lat", "RDMA_Read Latency Test", Verb.READ, true),
    /** One atomic at a time; reports the whole round trip. */
    ATOMIC_LAT("atomic_lat", "Atomic Latency Test", Verb.ATOMIC, true),
    /** Streaming SENDs against receives the server keeps posted. */
    SEND_BW("send_bw", "Send BW Test", Verb.SEND, false),
    /** Streaming RDMA WRITEs. */
    WRITE_BW("write_bw", "RDMA_Write BW Test", Verb.WRITE, false),
    /** Streaming RDMA READs, at most {@code -o} outstanding per QP. */
    READ_BW("read_bw", "RDMA_Read BW Test", Verb.READ, false),
    /** Streaming atomics, at most {@code -o} outstanding per QP. */
    ATOMIC_BW("atomic_bw", "Atomic BW Test", Verb.ATOMIC, false);

    /** The operation a test streams or ping-pongs. */
    public enum Verb
    {
        /** SEND (or SEND_WITH_IMM), consuming receives. */
        SEND,
        /** RDMA_WRITE (or RDMA_WRITE_WITH_IMM). */
        WRITE,
        /** RDMA_READ. */
        READ,
        /** ATOMIC_FETCH_AND_ADD or ATOMIC_CMP_AND_SWP. */
        ATOMIC
    }

    private final String command;
    private final String title;
    private final Verb verb;
    private final boolean latency;

    PerfTest(final String command, final String title, final Verb verb, final boolean latency)
    {
        this.command = command;
        this.title = title;
        this.verb = verb;
        this.latency = latency;
    }

    /** @return the command name, e.g. {@code send_lat}. */
    public String command()
    {
        return command;
    }

    /** @return the banner title perftest prints, e.g. {@code Send Latency Test}. */
    public String title()
    {
        return title;
    }

    /** @return the operation. */
    public Verb verb()
    {
        return verb;
    }

    /** @return true for the latency tests, false for the bandwidth tests. */
    public boolean isLatency()
    {
        return latency;
    }

    /**
     * @return how many one-way trips a measured round trip is divided into for the report: 2 for send_lat and
     * write_lat (perftest reports half the round trip of a ping-pong), 1 for read_lat and atomic_lat.
     */
    public int reportDivisor()
    {
        return latency && (verb == Verb.SEND || verb == Verb.WRITE) ? 2 : 1;
    }

    /** @return true if the operation moves a fixed 8 bytes whatever {@code -s} says. */
    public boolean isFixedSize()
    {
        return verb == Verb.ATOMIC;
    }

    /**
     * @param command a command name such as {@code write_bw}.
     * @return the test, or null if there is none of that name.
     */
    public static PerfTest ofCommand(final String command)
    {
        for (final PerfTest test : values())
        {
            if (test.command.equals(command))
            {
                return test;
            }
        }
        return null;
    }
}
