package io.softverbs.offheap.engine;

import io.softverbs.offheap.LinePadding;

/**
 * The responder's per-QP state, owned by the engine: the PSN it expects next and the results of recent atomics, so
 * a duplicate atomic is answered from here and never executed twice.
 */
public final class ResponderContext extends LinePadding
{
    /** Most outstanding READs/atomics a QP accepts or issues. */
    public static final int MAX_RD_ATOMIC = 16;

    int expectedPsn;
    /** Highest PSN executed and not yet acknowledged; ACKs are cumulative, so one per cycle covers them all. */
    int ackPsn;
    boolean ackPending;
    /** On the responder's list of QPs to flush ACKs for at the end of the cycle (at most once). */
    boolean ackQueued;
    int ackCoalesced;
    private final int[] atomicPsn;
    private final long[] atomicOriginal;
    private int atomicNext;
    private int atomicCount;

    /** @param capacity atomic results kept. */
    public ResponderContext(final int capacity)
    {
        atomicPsn = new int[capacity];
        atomicOriginal = new long[capacity];
    }

    void saveAtomic(final int psn, final long original)
    {
        atomicPsn[atomicNext] = psn;
        atomicOriginal[atomicNext] = original;
        atomicNext = (atomicNext + 1) % atomicPsn.length;
        atomicCount = Math.min(atomicCount + 1, atomicPsn.length);
    }

    /** @return index of the saved result for psn, or -1. */
    int findAtomic(final int psn)
    {
        for (int i = 0; i < atomicCount; i++)
        {
            if (atomicPsn[i] == psn)
            {
                return i;
            }
        }
        return -1;
    }

    long atomicOriginal(final int index)
    {
        return atomicOriginal[index];
    }

    void reset(final int psn)
    {
        expectedPsn = psn;
        ackPending = false;
        ackQueued = false;
        atomicCount = 0;
        atomicNext = 0;
    }
}
