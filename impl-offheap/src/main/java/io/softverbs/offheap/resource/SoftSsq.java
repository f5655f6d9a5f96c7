package io.softverbs.offheap.resource;

import io.softverbs.Errors;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedSendQueue;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.engine.Schedulable;
import io.softverbs.offheap.engine.SsqState;
import io.softverbs.offheap.host.RingLock;
import io.softverbs.offheap.host.SendRing;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A shared send queue: one send ring in device memory for many RC QPs (channels) to different peers. WQEs name
 * their channel; the engine dispatches them in posting order to each channel's requester and reports completions
 * in posting order on the SSQ's CQ. No libibverbs counterpart.
 */
public final class SoftSsq extends Schedulable implements SharedSendQueue
{
    private final SoftContext context;
    private final SoftPd pd;
    private final SoftCq sendCq;
    private final SendRing ring;
    private final WqeWriter writer;
    private final SsqState state;
    private final Int2ObjectHashMap<SoftQp> channels = new Int2ObjectHashMap<>();
    private final RingLock lock = new RingLock();
    private volatile boolean closed;

    /**
     * @param context owning context.
     * @param pd      owning PD.
     * @param sendCq  CQ for all channels' send completions.
     * @param ring    the shared ring.
     * @param maxSge  SGEs per request.
     * @param maxInlineData inline bytes per request.
     */
    public SoftSsq(
        final SoftContext context,
        final SoftPd pd,
        final SoftCq sendCq,
        final SendRing ring,
        final int maxSge,
        final int maxInlineData)
    {
        this.context = context;
        this.pd = pd;
        this.sendCq = sendCq;
        this.ring = ring;
        this.writer = new WqeWriter(ring, pd, context.keys(), maxSge, maxInlineData);
        this.state = new SsqState(ring, sendCq, ring.depth());
        pd.addSendLock(lock);
    }

    @Override
    public int postSend(final QueuePair channel, final SendWorkRequest wr)
    {
        if (!(channel instanceof SoftQp) || ((SoftQp)channel).ssq() != this || closed)
        {
            return Errors.EINVAL;
        }
        if (((SoftQp)channel).stateOrdinal() <= QpState.RTR.ordinal())
        {
            return Errors.EPERM;
        }
        final int shape = writer.checkShape(wr);
        if (shape != 0)
        {
            return shape;
        }
        final int result;
        lock.lock();
        try
        {
            result = writer.checkAndWrite(wr, wr.flags() & SendFlags.ALL, channel.qpNum());
        }
        finally
        {
            lock.unlock();
        }
        if (result == 0)
        {
            context.engine().schedule(this);
        }
        return result;
    }

    /** @return the engine's state of this SSQ. */
    /** @return the lock posts check and read inline sources under (see {@link SoftPd#awaitInlineReads}). */
    RingLock lock()
    {
        return lock;
    }

    public SsqState state()
    {
        return state;
    }

    /** @return the shared ring. */
    public SendRing ring()
    {
        return ring;
    }

    /** @return the CQ of every channel's send completions. */
    public SoftCq sendCq()
    {
        return sendCq;
    }

    /** @return owning context. */
    public SoftContext context()
    {
        return context;
    }

    /** @return owning PD. */
    public SoftPd pd()
    {
        return pd;
    }

    /**
     * Engine: the channel a WQE names.
     *
     * @param qpn channel QP number.
     * @return the channel, or null if it was destroyed.
     */
    public SoftQp channel(final int qpn)
    {
        return channels.get(qpn);
    }

    /** Control stage: adds a channel. @param qp the channel. */
    public void attach(final SoftQp qp)
    {
        channels.put(qp.qpNum(), qp);
    }

    /** Control stage: removes a channel. @param qp the channel. */
    public void detach(final SoftQp qp)
    {
        channels.remove(qp.qpNum());
    }

    @Override
    public void close()
    {
        closed = true;
        pd.removeSendLock(lock);
    }
}
