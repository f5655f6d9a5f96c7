package io.softverbs.offheap.engine;

/** 24-bit packet sequence number arithmetic. */
final class Psn
{
    static final int MASK = 0xFF_FFFF;

    private Psn()
    {
    }

    static int next(final int psn)
    {
        return (psn + 1) & MASK;
    }

    /** @return negative if a is before b, 0 if equal, positive if after (modulo 2^24). */
    static int compare(final int a, final int b)
    {
        return ((a - b) << 8) >> 8;
    }
}
