package io.softverbs.benchmarks.perf.loop;

import io.softverbs.benchmarks.perf.BandwidthResult;

/**
 * Tracks the best completion rate over slices of at least {@link BandwidthResult#PEAK_SLICE_NANOS} that also span
 * {@link #CHUNKS_PER_SLICE} signaled completions or more: with CQ moderation a completion accounts for {@code -Q}
 * messages at once, so a shorter slice would see bursts, not a rate. This is perftest's "BW peak" (perftest
 * searches every post-to-completion interval, which is quadratic in the message count and needs two timestamps
 * per message; slices need neither).
 */
final class PeakRate
{
    /** Signaled completions a slice must span, so moderation chunks distort the rate by 10% at most. */
    static final int CHUNKS_PER_SLICE = 10;

    private final long minMessages;
    private long sliceStart;
    private long sliceStartCount;
    private double best;

    /** @param messagesPerCompletion messages one signaled completion accounts for (CQ moderation x QPs). */
    PeakRate(final long messagesPerCompletion)
    {
        minMessages = CHUNKS_PER_SLICE * messagesPerCompletion;
    }

    /** @param now the run's start. */
    void start(final long now)
    {
        sliceStart = now;
        sliceStartCount = 0;
        best = 0;
    }

    /**
     * @param now       the current time.
     * @param completed messages completed since the start.
     */
    void update(final long now, final long completed)
    {
        final long elapsed = now - sliceStart;
        if (elapsed >= BandwidthResult.PEAK_SLICE_NANOS && completed - sliceStartCount >= minMessages)
        {
            best = Math.max(best, (completed - sliceStartCount) * 1e9 / elapsed);
            sliceStart = now;
            sliceStartCount = completed;
        }
    }

    /** @return the best slice's messages per second, 0 if no slice was complete. */
    double messagesPerSecond()
    {
        return best;
    }
}
