package io.softverbs.benchmarks.anchor;

/**
 * How much the anchors run measures.
 *
 * @param rounds       times each A/B pair runs; medians are over these.
 * @param iterations   recorded round trips of each latency measurement.
 * @param warmup       unrecorded round trips before each latency measurement.
 * @param messages     messages of each message-rate measurement.
 * @param copyMegabytes MB moved by each bandwidth measurement (copy and write_bw alike).
 * @param aeron        false to leave out the Aeron IPC anchor.
 */
public record AnchorSettings(int rounds, int iterations, int warmup, long messages, long copyMegabytes, boolean aeron)
{
    /** Latency messages: 32 bytes, the send_lat and write_lat targets' size. */
    public static final int LATENCY_SIZE = 32;
    /** Message-rate messages: 64 bytes, the send_bw target's size. */
    public static final int RATE_SIZE = 64;
    /** send_bw's CQ moderation in the message-rate target. */
    public static final int RATE_CQ_MODERATION = 64;
    /** send_bw's post list in the message-rate target's second form ({@code -l}; its CQ moderation is the same). */
    public static final int RATE_POST_LIST = 64;
    /** Block sizes of the bandwidth targets: 64 KiB and 1 MiB. */
    public static final int[] COPY_SIZES = {64 << 10, 1 << 20};
}
