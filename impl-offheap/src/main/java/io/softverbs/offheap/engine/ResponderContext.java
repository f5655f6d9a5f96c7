package io.softverbs.offheap.engine;

import io.softverbs.LinePadding;
import io.softverbs.Opcode;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.resource.KeyTable;
import io.softverbs.offheap.resource.SoftCq;
import io.softverbs.offheap.resource.SoftPd;
import io.softverbs.offheap.resource.SoftSrq;

/**
 * The responder's half of a QP's context, owned by the engine: what it admits (rights, source QP, keys, PD), the
 * PSN it expects next, where its receives come from and go to, and the results of recent atomics, so a duplicate
 * atomic is answered from here and never executed twice.
 * <p>
 * A requester in this process reads it too, to execute a one-sided operation or a SEND directly
 * ({@link Responder#executeDirect}). That is why the admission attributes and the receive side live here and not in
 * the QP object, whose cache lines its own thread writes on every post: this object is written only by the control
 * stage and by requests that arrive.
 */
public final class ResponderContext extends LinePadding
{
    /** Most outstanding READs/atomics a QP accepts or issues. */
    public static final int MAX_RD_ATOMIC = 16;
    private static final int NOBODY = -1;

    final KeyTable keys;
    final SoftPd pd;
    /** The QP's number, for its receive completions. */
    final int qpn;
    /** Where receives are consumed from: the QP's own ring, or its SRQ's. */
    final RecvRing receives;
    /** The SRQ, or null. */
    final SoftSrq srq;
    final SoftCq recvCq;
    /** Written with the receive side's lock held: the SRQ limit a consume crossed, raised once it is released. */
    int srqLimitCrossed;
    int accessFlags;
    int minRnrTimer;
    /** The QPN whose requests are executed now (RTR, RTS, SQD), or {@link #NOBODY}; stored last by the control stage. */
    volatile int admittedQpn = NOBODY;
    int expectedPsn;
    /** Highest PSN executed and not yet acknowledged; ACKs are cumulative, so one per cycle covers them all. */
    int ackPsn;
    boolean ackPending;
    /** A request the pending ACK covers asked for it at once (AckReq): it goes out at the end of the cycle. */
    boolean ackWanted;
    /** On the responder's list of QPs to flush ACKs for at the end of the cycle (at most once). */
    boolean ackQueued;
    int ackCoalesced;
    private final int[] atomicPsn;
    private final long[] atomicOriginal;
    private int atomicNext;
    private int atomicCount;

    /**
     * @param capacity atomic results kept.
     * @param keys     the device's key table.
     * @param pd       the QP's PD.
     * @param qpn      the QP's number.
     * @param receives the QP's receive ring, or its SRQ's.
     * @param srq      the SRQ, or null.
     * @param recvCq   the receive CQ.
     */
    public ResponderContext(final int capacity, final KeyTable keys, final SoftPd pd, final int qpn,
        final RecvRing receives, final SoftSrq srq, final SoftCq recvCq)
    {
        this.keys = keys;
        this.pd = pd;
        this.qpn = qpn;
        this.receives = receives;
        this.srq = srq;
        this.recvCq = recvCq;
        atomicPsn = new int[capacity];
        atomicOriginal = new long[capacity];
    }

    /**
     * @param opcode a request's opcode.
     * @return true if a requester in this process may execute it against its peer's responder context directly
     *         ({@link Responder#executeDirect}): the one-sided operations, and SEND and SEND_WITH_IMM, which consume
     *         a receive and complete it. The SENDs that invalidate a key of the peer's travel, so the peer's own
     *         engine changes its regions' states.
     */
    public static boolean executesDirectly(final Opcode opcode)
    {
        return opcode == Opcode.SEND || opcode == Opcode.SEND_WITH_IMM || opcode == Opcode.RDMA_WRITE ||
            opcode == Opcode.RDMA_READ || opcode.isAtomic();
    }

    /**
     * Takes the receive side's lock, which every consumer of the QP's receives holds from its first look at them to
     * its completion's CQE: the QP's own engine (requests that travelled, flushes, resets) and, on the mem
     * transport's direct path, a sender's thread. It is the receive CQ's producer lock, which the CQE needs anyway:
     * one atomic for both. An SRQ, whose QPs may report to different CQs, has its own consumer lock, taken first.
     */
    void lockReceives()
    {
        if (srq != null)
        {
            receives.lockConsumer();
        }
        recvCq.lockProducer();
    }

    /**
     * Releases what {@link #lockReceives} took, then raises the events its holder noted (the CQ's overflow, an SRQ
     * limit crossed): an application's handler never runs with a lock of ours held.
     */
    void unlockReceives()
    {
        final int crossed = srqLimitCrossed;
        if (srq != null)
        {
            srqLimitCrossed = 0;
            receives.unlockConsumer();
        }
        recvCq.unlockProducer();
        if (crossed > 0)
        {
            srq.raiseLimitReached(crossed);
        }
    }

    /** @return the remote rights ({@code qp_access_flags}). */
    public int accessFlags()
    {
        return accessFlags;
    }

    /** @return the RNR timer code sent with an RNR NAK. */
    public int minRnrTimer()
    {
        return minRnrTimer;
    }

    /**
     * Control stage: the QP's responder attributes changed.
     *
     * @param accessFlags remote rights.
     * @param minRnrTimer RNR timer code.
     * @param sourceQpn   the connected QP whose requests are executed, or -1 when none are (state below RTR, ERR).
     */
    public void admit(final int accessFlags, final int minRnrTimer, final int sourceQpn)
    {
        this.accessFlags = accessFlags;
        this.minRnrTimer = minRnrTimer;
        admittedQpn = sourceQpn; // volatile: a reader that sees the QPN sees the attributes stored before it
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
        ackWanted = false;
        ackCoalesced = 0;
        atomicCount = 0;
        atomicNext = 0;
    }
}
