package io.softverbs.offheap.resource;

import java.lang.invoke.VarHandle;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionHandler;
import io.softverbs.CompletionQueue;
import io.softverbs.Errors;
import io.softverbs.LinePadding;
import io.softverbs.VerbsException;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.host.CqRing;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;

/**
 * A completion queue ({@code ibv_cq}). The engine of its context produces CQEs into the ring, and so does the thread
 * of a sender whose SEND the mem transport executes directly, each under the ring's producer lock; one application
 * thread at a time polls it. A polled send completion frees its slot in its QP's send queue. Notification arming is
 * a single volatile word a producer checks per CQE.
 */
public final class SoftCq extends LinePadding implements CompletionQueue
{
    private static final int DISARMED = 0;
    private static final int ARMED_ANY = 1;
    private static final int ARMED_SOLICITED = 2;
    private static final int NO_OVERFLOW = -1;

    private final SoftContext context;
    private final CqRing ring;
    private final SoftChannel channel;
    /** The handler's view of a completion: copied out of the ring, which is free again when the handler runs. */
    private final WorkCompletion taken = new WorkCompletion();
    private volatile int armed;
    private boolean overflowed;
    /** Written with the producer lock held: the QP whose completion overflowed the CQ, until the event is raised. */
    private int overflowQpNum = NO_OVERFLOW;
    private volatile boolean closed;

    /**
     * @param context owning context.
     * @param ring    the CQE ring.
     * @param channel completion channel, or null.
     */
    public SoftCq(final SoftContext context, final CqRing ring, final SoftChannel channel)
    {
        this.context = context;
        this.ring = ring;
        this.channel = channel;
    }

    /** @return owning context. */
    public SoftContext context()
    {
        return context;
    }

    /**
     * Engine, or a sender whose SEND the mem transport executes directly: writes one CQE under the producer lock.
     * An overflow drops it and raises {@link AsyncEventType#CQ_ERR} once.
     *
     * @param wrId      user cookie.
     * @param status    status.
     * @param opcode    completion opcode.
     * @param byteLen   bytes.
     * @param qpNum     local QP.
     * @param srcQp     remote QP.
     * @param immData   immediate.
     * @param invRkey   invalidated rkey.
     * @param flags     {@link WorkCompletion} flags.
     * @return false on overflow.
     */
    public boolean produce(
        final long wrId,
        final WcStatus status,
        final WcOpcode opcode,
        final int byteLen,
        final int qpNum,
        final int srcQp,
        final int immData,
        final int invRkey,
        final int flags)
    {
        lockProducer();
        final boolean written;
        try
        {
            written = produceLocked(wrId, status, opcode, byteLen, qpNum, srcQp, immData, invRkey, flags);
        }
        finally
        {
            unlockProducer();
        }
        if (written)
        {
            notifyIfArmed(status, flags);
        }
        return written;
    }

    /**
     * Takes the producer lock, which {@link #produceLocked} needs. A producer that writes the completion's data
     * into memory another core reads takes it before those stores, not between them and the CQE: taking a lock
     * waits for every store before it to reach its cache line, and the CQE would wait for the data's line.
     */
    public void lockProducer()
    {
        ring.lockProducer();
    }

    /** Releases the producer lock, then raises {@link AsyncEventType#CQ_ERR} if the CQ overflowed meanwhile. */
    public void unlockProducer()
    {
        final int qpNum = overflowQpNum;
        if (qpNum == NO_OVERFLOW)
        {
            ring.unlockProducer();
            return;
        }
        overflowQpNum = NO_OVERFLOW;
        ring.unlockProducer();
        context.raise(Text.overflow(qpNum, ring.capacity()));
    }

    /**
     * With the producer lock held: writes one CQE (see {@link #produce}); the caller then calls
     * {@link #notifyIfArmed}, with the lock held or not (it only wakes the channel's waiters).
     *
     * @param wrId    user cookie.
     * @param status  status.
     * @param opcode  completion opcode.
     * @param byteLen bytes.
     * @param qpNum   local QP.
     * @param srcQp   remote QP.
     * @param immData immediate.
     * @param invRkey invalidated rkey.
     * @param flags   {@link WorkCompletion} flags.
     * @return false on overflow (or a closed CQ).
     */
    public boolean produceLocked(
        final long wrId,
        final WcStatus status,
        final WcOpcode opcode,
        final int byteLen,
        final int qpNum,
        final int srcQp,
        final int immData,
        final int invRkey,
        final int flags)
    {
        if (closed)
        {
            return false;
        }
        if (ring.isFull())
        {
            if (!overflowed)
            {
                overflowed = true;
                overflowQpNum = qpNum; // raised when the lock is released: the handler may call into the device
            }
            return false;
        }
        final DeviceBuffer buffer = ring.buffer();
        final int offset = ring.claimOffset();
        buffer.putLong(offset + WorkCompletion.WR_ID_OFFSET, wrId);
        buffer.putInt(offset + WorkCompletion.BYTE_LEN_OFFSET, byteLen);
        buffer.putInt(offset + WorkCompletion.IMM_DATA_OFFSET, immData);
        buffer.putInt(offset + WorkCompletion.INV_RKEY_OFFSET, invRkey);
        buffer.putInt(offset + WorkCompletion.QP_NUM_OFFSET, qpNum);
        buffer.putInt(offset + WorkCompletion.SRC_QP_OFFSET, srcQp);
        buffer.putByte(offset + WorkCompletion.STATUS_OFFSET, (byte)status.ordinal());
        buffer.putByte(offset + WorkCompletion.OPCODE_OFFSET, (byte)opcode.ordinal());
        buffer.putShort(offset + WorkCompletion.FLAGS_OFFSET, (short)flags);
        buffer.putInt(offset + WorkCompletion.VENDOR_ERR_OFFSET, 0);
        ring.publish();
        return true;
    }

    /**
     * After a CQE was written: fires the completion channel if the CQ is armed for it. It runs no application code,
     * so the producer lock may still be held.
     *
     * @param status the completion's status.
     * @param flags  its {@link WorkCompletion} flags.
     */
    public void notifyIfArmed(final WcStatus status, final int flags)
    {
        if (channel == null)
        {
            return;
        }
        // The application arms (a volatile store) and then polls; here the entry is published and then the arm is
        // read. Without a fence between the two, this read could pass the publication: the arm unseen here and the
        // entry unseen by that poll, and no event ever. CQs without a channel do not pay for it.
        VarHandle.fullFence();
        final int arm = armed;
        if (arm != DISARMED &&
            (arm == ARMED_ANY || (flags & WorkCompletion.FLAG_SOLICITED) != 0 || status != WcStatus.SUCCESS))
        {
            armed = DISARMED;
            channel.fire(this);
        }
    }

    @Override
    public int poll(final io.softverbs.WorkCompletion[] out)
    {
        runEngineIfEmpty();
        return take(out);
    }

    /** INVOKER: an empty poll runs an engine cycle first (one copy of the take loop per poll, not two). */
    private void runEngineIfEmpty()
    {
        if (context.isInvoker())
        {
            if (ring.peek() < 0)
            {
                context.progress();
            }
            else
            {
                context.engine().noteVisit();
            }
        }
    }

    private int take(final WorkCompletion[] out)
    {
        int count = 0;
        int offset;
        while (count < out.length && (offset = ring.peek()) >= 0)
        {
            ring.copyTo(offset, out[count++]);
            ring.advance();
        }
        if (count > 0)
        {
            ring.publishConsumer();
            freeSendSlots(out, count);
        }
        return count;
    }

    @Override
    public int poll(final CompletionHandler handler, final int max)
    {
        runEngineIfEmpty();
        return take(handler, max);
    }

    private int take(final CompletionHandler handler, final int max)
    {
        int count = 0;
        int offset;
        while (count < max && (offset = ring.peek()) >= 0)
        {
            // Copied out and released first, so that a handler posting into the send queue slot this completion
            // held finds it free, and the CQ slot free for the completion of what it posts.
            ring.copyTo(offset, taken);
            ring.advance();
            ring.publishConsumer();
            if (isSend(taken.opcode()))
            {
                freeSendSlots(taken.qpNum(), 1);
            }
            count++;
            handler.onCompletion(taken);
        }
        return count;
    }

    /**
     * Send completions, once polled and their CQEs released, free their slots in their QPs' send queues
     * ({@link SendRing#hasWqeRoom}), as {@code ibv_poll_cq} does on an RNIC: one look-up per run of one QP's.
     */
    private void freeSendSlots(final WorkCompletion[] polled, final int count)
    {
        int qpNum = 0;
        int run = 0;
        for (int i = 0; i < count; i++)
        {
            final WorkCompletion wc = polled[i];
            if (isSend(wc.opcode()))
            {
                final int next = wc.qpNum();
                if (run > 0 && next != qpNum)
                {
                    freeSendSlots(qpNum, run);
                    run = 0;
                }
                qpNum = next;
                run++;
            }
        }
        if (run > 0)
        {
            freeSendSlots(qpNum, run);
        }
    }

    private void freeSendSlots(final int qpNum, final int slots)
    {
        final SoftQp qp = context.lookupQp(qpNum);
        if (qp != null)
        {
            qp.sendRing().noteCompletionsPolled(slots);
        }
    }

    private static boolean isSend(final WcOpcode opcode)
    {
        return opcode != WcOpcode.RECV && opcode != WcOpcode.RECV_RDMA_WITH_IMM;
    }

    @Override
    public void requestNotify(final boolean solicitedOnly)
    {
        if (channel == null)
        {
            throw Text.noChannel();
        }
        armed = solicitedOnly ? ARMED_SOLICITED : ARMED_ANY;
    }

    @Override
    public int capacity()
    {
        return ring.capacity();
    }

    @Override
    public void close()
    {
        closed = true;
        context.forget(this);
    }

    /**
     * This class's text, in a constant pool of its own. HotSpot resolves every string constant of a class in the
     * thread that first asks for one of the class's methods to be compiled by C2. In SoftCq itself, these two
     * messages were allocated (192 bytes) on whichever application thread happened to be polling then, inside a
     * measured loop. Every class on the data path keeps its text in such a nested class
     * ({@code DataPathConstantsTest}).
     */
    private static final class Text
    {
        private Text()
        {
        }

        static AsyncEvent overflow(final int qpNum, final int capacity)
        {
            return new AsyncEvent(AsyncEventType.CQ_ERR, qpNum,
                "completion queue of " + capacity + " entries overflowed; completions were lost");
        }

        static VerbsException noChannel()
        {
            return new VerbsException(Errors.EINVAL, "this CQ was created without a completion channel");
        }
    }
}
