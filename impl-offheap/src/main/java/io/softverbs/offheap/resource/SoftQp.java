package io.softverbs.offheap.resource;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Errors;
import io.softverbs.Opcode;
import io.softverbs.PostLists;
import io.softverbs.QpAttributes;
import io.softverbs.QpEndpoint;
import io.softverbs.QpState;
import io.softverbs.QpType;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.VerbsException;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.engine.Engine;
import io.softverbs.offheap.engine.RequesterContext;
import io.softverbs.offheap.engine.Schedulable;
import io.softverbs.offheap.engine.ResponderContext;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.host.RingLock;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.Transport;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An RC queue pair ({@code ibv_qp}): its rings in device memory, its attributes, and the engine's requester and
 * responder contexts (the QPC of a hardware RNIC). {@link #postSend} and {@link #postRecv} are the data path:
 * encode into the ring, ring the doorbell, tell the engine; no allocation, no exception.
 */
public final class SoftQp extends Schedulable implements QueuePair
{
    private final SoftContext context;
    private final SoftPd pd;
    private final int qpn;
    private final SoftCq sendCq;
    private final SoftCq recvCq;
    private final SoftSrq srq;
    private final SoftSsq ssq;
    private final SendRing sq;
    private final WqeWriter writer;
    private final RecvRing rq;
    private final boolean signalAll;
    private final int initialPsn;
    private final RequesterContext requester;
    private final ResponderContext responder;

    private volatile int state = QpState.RESET.ordinal();
    private final RingLock sendLock = new RingLock();
    private final RingLock recvLock = new RingLock();

    // Attributes, written by the control stage on the engine thread.
    private int pathMtu = 4096;
    private int destQpn;
    private String remoteAddress;
    private int timeout;
    private int retryCount;
    private int rnrRetry;
    private int maxRdAtomic = 1;
    private int maxDestRdAtomic = 1;
    private Link link;
    /** The engine's visit count at the last post: tells a burst of posts from posts between polls (a hint). */
    private long lastPostVisits = -1;

    /**
     * @param context       owning context.
     * @param pd            owning PD.
     * @param qpn           QP number.
     * @param sendCq        send CQ.
     * @param recvCq        receive CQ.
     * @param srq           SRQ or null.
     * @param ssq           shared send queue this QP is a channel of, or null.
     * @param sq            send ring (the SSQ's for a channel).
     * @param rq            receive ring, null with an SRQ.
     * @param maxSendSge    SGEs per send.
     * @param maxInlineData inline bytes.
     * @param signalAll     signal every send.
     * @param initialPsn    starting PSN.
     * @param maxRdAtomic   largest outstanding READ/atomic count the device supports.
     */
    public SoftQp(
        final SoftContext context,
        final SoftPd pd,
        final int qpn,
        final SoftCq sendCq,
        final SoftCq recvCq,
        final SoftSrq srq,
        final SoftSsq ssq,
        final SendRing sq,
        final RecvRing rq,
        final int maxSendSge,
        final int maxInlineData,
        final boolean signalAll,
        final int initialPsn,
        final int maxRdAtomic)
    {
        this.context = context;
        this.pd = pd;
        this.qpn = qpn;
        this.sendCq = sendCq;
        this.recvCq = recvCq;
        this.srq = srq;
        this.ssq = ssq;
        this.sq = sq;
        this.writer = ssq == null ? new WqeWriter(sq, pd, context.keys(), maxSendSge, maxInlineData) : null;
        this.rq = rq;
        this.signalAll = signalAll;
        this.initialPsn = initialPsn;
        this.requester = ssq == null ? new RequesterContext(sq.depth()) : new RequesterContext(ssq.state());
        this.responder = new ResponderContext(maxRdAtomic, context.keys(), pd, qpn, receiveRing(), srq, recvCq);
        if (writer != null)
        {
            pd.addSendLock(sendLock);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Data path

    @Override
    public int postSend(final SendWorkRequest wr)
    {
        final int refused = checkPost(wr);
        if (refused != 0)
        {
            return refused;
        }
        final int flags = sendFlags(wr);
        // Executed in the post, a request's sources are checked where they are read. It needs no send lock: it
        // touches nothing of the ring, the engine's cycle serialises it with other such posts, and it runs only if
        // the engine sees nothing rung before it, so a concurrent post still writing its WQE simply comes after it.
        // A request that is not executed here (busy engine, something outstanding, a check failed) is checked and
        // written as any other.
        if (executesAtPost(wr) && context.engine().executeNow(this, wr, flags))
        {
            return 0;
        }
        return post(wr, flags);
    }

    /**
     * A list executed at once where it can be: one entry into the engine's cycle runs every leading request that
     * may execute at once ({@code Requester.executePostedList}), and consecutive SENDs among them share one hold of
     * the peer's receive lock. The request that stops such a run is posted on its own, then a run is tried again.
     */
    @Override
    public int postSend(final SendWorkRequest[] list, final int offset, final int length)
    {
        if (!PostLists.isRange(list, offset, length))
        {
            return 0;
        }
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            if (executesAtPost(list[i]))
            {
                i += context.engine().executeNow(this, list, i, end);
                if (i == end)
                {
                    break;
                }
            }
            final SendWorkRequest wr = list[i];
            final int refused = checkPost(wr);
            if (refused != 0 || post(wr, sendFlags(wr)) != 0)
            {
                break;
            }
            i++;
        }
        return i - offset;
    }

    /**
     * @param wr a request to post.
     * @return 0 if this QP takes it in its state and shape, or why not.
     */
    public int checkPost(final SendWorkRequest wr)
    {
        if (writer == null)
        {
            return Errors.EINVAL; // a channel posts through its shared send queue
        }
        if (state <= QpState.RTR.ordinal())
        {
            return Errors.EPERM;
        }
        return writer.checkShape(wr);
    }

    /** @param wr a request. @return its send flags, SIGNALED added when every request is signaled. */
    public int sendFlags(final SendWorkRequest wr)
    {
        return signalAll ? wr.flags() | SendFlags.SIGNALED : wr.flags();
    }

    /** Posts a checked request that was not executed at once: sent by the posting thread, or its WQE written. */
    private int post(final SendWorkRequest wr, final int flags)
    {
        final Engine engine = context.engine();
        // INVOKER, and the application has polled or run the engine since its last post here (it alternates
        // posting and polling, as a latency-bound program does): the posting thread transmits at once if the engine
        // is free, one atomic instead of the run queue's two and a later cycle; an inline request that fits one
        // message is even sent before its WQE is written. Posts in a burst are left to the next cycle, which takes
        // them as one batch. DEDICATED: the engine thread picks it up; the visit count, which that thread writes on
        // every duty cycle, is left alone.
        final boolean now = context.isInvoker() && cameBack(engine);
        if (now && sendsAtPost(wr) && engine.sendNow(this, wr, flags))
        {
            return 0;
        }
        final int result;
        sendLock.lock();
        try
        {
            result = writer.checkAndWrite(wr, flags, 0);
        }
        finally
        {
            sendLock.unlock();
        }
        if (result == 0 && !(now && engine.transmitNow(this)))
        {
            engine.schedule(this);
        }
        return result;
    }

    /**
     * Engine, in the fused SEND post's cycle ({@code Requester.sendPosted}): sends the request through the link
     * straight from the work request, then writes its WQE, both under the send lock so no other post comes between.
     *
     * @param link    the QP's link.
     * @param psn     the request's PSN.
     * @param wr      the checked request.
     * @param flags   its send flags.
     * @param fetched the block up to which the requester has taken the ring's WQEs, all of them sent.
     * @param ackReq  the request wants its ACK at once ({@link Link#sendPosted}).
     * @return true if sent and written; false if neither (another thread's WQE came first, no room in the ring, or
     *         the link declined).
     */
    public boolean sendAndWrite(
        final Link link, final int psn, final SendWorkRequest wr, final int flags, final long fetched,
        final boolean ackReq)
    {
        sendLock.lock();
        try
        {
            // A WQE another thread wrote since the requester looked must go first. Room now is room after the
            // send: other producers wait for the lock and the engine only frees. The inline sources are checked
            // here, under the lock, where they are read (a refused request goes the ordinary way, to be refused).
            return sq.producerBlock() == fetched && writer.hasRoom(wr) && writer.checkSources(wr) == 0 &&
                link.sendPosted(psn, wr, flags, ackReq) && writer.write(wr, flags, 0) == 0;
        }
        finally
        {
            sendLock.unlock();
        }
    }

    /**
     * Engine, in the fused post's cycle ({@code Requester.executePosted}): takes a slot of the send queue for the
     * completion of a signaled request about to be executed at once, under the send lock, so that a concurrent post
     * cannot take the same last slot.
     *
     * @return true if reserved ({@link SendRing#holdCompletion}); false if the send queue is full.
     */
    public boolean reserveCompletion()
    {
        sendLock.lock();
        try
        {
            if (!sq.hasWqeRoom())
            {
                return false;
            }
            sq.holdCompletion();
            return true;
        }
        finally
        {
            sendLock.unlock();
        }
    }

    /**
     * INVOKER, a request the peer's responder context may execute directly (a one-sided operation, a SEND or
     * SEND_WITH_IMM), and a peer whose memory the requester may reach directly (mem): worth trying to execute it in the
     * post itself (the link is read as a hint; the engine checks again).
     */
    private boolean executesAtPost(final SendWorkRequest wr)
    {
        if (!ResponderContext.executesDirectly(wr.opcode()))
        {
            return false;
        }
        final Link current = link;
        return context.isInvoker() && current != null && current.directPeer() != null;
    }

    /**
     * INVOKER, an inline request of a kind the link may send in one message before the WQE is written (see
     * {@link Link#sendPosted}; the link is read as a hint, the engine checks again).
     */
    private boolean sendsAtPost(final SendWorkRequest wr)
    {
        final Opcode opcode = wr.opcode();
        return (wr.flags() & SendFlags.INLINE) != 0 && (opcode.isSend() || opcode == Opcode.RDMA_WRITE) &&
            link != null;
    }

    /** INVOKER: whether the application came back to the device since the last post here. */
    private boolean cameBack(final Engine engine)
    {
        final long visits = engine.visits();
        final boolean back = visits != lastPostVisits;
        lastPostVisits = visits;
        return back;
    }

    @Override
    public int postRecv(final RecvWorkRequest wr)
    {
        final int refused = checkRecv();
        if (refused != 0)
        {
            return refused;
        }
        final int result;
        recvLock.lock();
        try
        {
            result = rq.post(wr);
        }
        finally
        {
            recvLock.unlock();
        }
        afterRecv(result == 0);
        return result;
    }

    /** One hold of the post lock and one doorbell for the whole list. */
    @Override
    public int postRecv(final RecvWorkRequest[] list, final int offset, final int length)
    {
        if (!PostLists.isRange(list, offset, length) || checkRecv() != 0)
        {
            return 0;
        }
        final int posted;
        recvLock.lock();
        try
        {
            posted = rq.post(list, offset, length);
        }
        finally
        {
            recvLock.unlock();
        }
        afterRecv(posted > 0);
        return posted;
    }

    /** @return 0 if this QP takes receives in its state, or why not. */
    private int checkRecv()
    {
        if (rq == null)
        {
            return Errors.EINVAL; // receives come from the SRQ
        }
        return state == QpState.RESET.ordinal() ? Errors.EPERM : 0;
    }

    /** A receive posted in ERR is flushed by the engine. */
    private void afterRecv(final boolean posted)
    {
        if (posted && state == QpState.ERR.ordinal())
        {
            context.engine().schedule(this);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Control path

    @Override
    public void modify(final QpAttributes attributes)
    {
        if (attributes == null)
        {
            throw Text.nullAttributes();
        }
        context.execute(() -> context.engine().modify(this, attributes));
    }

    @Override
    public void connect(final QpEndpoint remote)
    {
        if (remote == null)
        {
            throw Text.nullEndpoint();
        }
        if (state() == QpState.RESET)
        {
            modify(QpAttributes.builder().state(QpState.INIT)
                .accessFlags(Access.REMOTE_WRITE | Access.REMOTE_READ | Access.REMOTE_ATOMIC).build());
        }
        if (state() != QpState.INIT)
        {
            throw Text.connectState(state());
        }
        modify(QpAttributes.builder().state(QpState.RTR).remote(remote).pathMtu(4096).minRnrTimer(1)
            .maxDestRdAtomic(ResponderContext.MAX_RD_ATOMIC).build());
        modify(QpAttributes.builder().state(QpState.RTS).timeout(14).retryCount(7).rnrRetry(7)
            .maxRdAtomic(ResponderContext.MAX_RD_ATOMIC).build());
    }

    @Override
    public void migrate(final Context target, final CompletionQueue sendCq, final CompletionQueue recvCq)
    {
        throw Text.noMigration();
    }

    @Override
    public void close()
    {
        context.execute(() -> context.engine().destroy(this));
        if (writer != null)
        {
            pd.removeSendLock(sendLock);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accessors

    @Override
    public int qpNum()
    {
        return qpn;
    }

    @Override
    public QpType type()
    {
        return QpType.RC;
    }

    @Override
    public QpState state()
    {
        return QpState.of(state);
    }

    /** @return the lock this QP's posts check and read inline sources under (see {@link SoftPd#awaitInlineReads}). */
    RingLock sendLock()
    {
        return sendLock;
    }

    /** @return the state ordinal (volatile read). */
    public int stateOrdinal()
    {
        return state;
    }

    /** Engine: sets the state. @param newState the state. */
    public void state(final QpState newState)
    {
        state = newState.ordinal();
        responder.admit(responder.accessFlags(), responder.minRnrTimer(), admittedQpn());
    }

    @Override
    public QpEndpoint localEndpoint()
    {
        return new QpEndpoint(context.transport().address(), qpn, initialPsn);
    }

    /** @return owning context. */
    public SoftContext context()
    {
        return context;
    }

    /** @return the context's transport. */
    public Transport transport()
    {
        return context.transport();
    }

    /** @return the device key table. */
    public KeyTable keys()
    {
        return context.keys();
    }

    /** @return owning PD. */
    public SoftPd pd()
    {
        return pd;
    }

    /** @return send CQ. */
    public SoftCq sendCq()
    {
        return sendCq;
    }

    /** @return receive CQ. */
    public SoftCq recvCq()
    {
        return recvCq;
    }

    /** @return SRQ or null. */
    public SoftSrq srq()
    {
        return srq;
    }

    /** @return the shared send queue this QP is a channel of, or null. */
    public SoftSsq ssq()
    {
        return ssq;
    }

    /** @return send ring (the SSQ's ring for a channel). */
    public SendRing sendRing()
    {
        return sq;
    }

    /** @return receive ring of the QP itself, or of its SRQ. */
    public RecvRing receiveRing()
    {
        return srq != null ? srq.ring() : rq;
    }

    /** @return the QP's own receive ring, null with an SRQ. */
    public RecvRing ownReceiveRing()
    {
        return rq;
    }

    /** @return starting PSN offered to peers. */
    public int initialPsn()
    {
        return initialPsn;
    }

    /** @return requester context (engine-owned). */
    public RequesterContext requester()
    {
        return requester;
    }

    /** @return responder context (engine-owned). */
    public ResponderContext responder()
    {
        return responder;
    }

    /** @return link to the peer, null before RTR. */
    public Link link()
    {
        return link;
    }

    /** @param link link to the peer; the one it replaces is closed. */
    public void link(final Link link)
    {
        final Link old = this.link;
        this.link = link;
        if (old != null && old != link)
        {
            old.close();
        }
    }

    /** @return QP access flags. */
    public int accessFlags()
    {
        return responder.accessFlags();
    }

    /** @param accessFlags QP access flags. */
    public void accessFlags(final int accessFlags)
    {
        responder.admit(accessFlags, responder.minRnrTimer(), admittedQpn());
    }

    /** @return path MTU. */
    public int pathMtu()
    {
        return pathMtu;
    }

    /** @param pathMtu path MTU. */
    public void pathMtu(final int pathMtu)
    {
        this.pathMtu = pathMtu;
    }

    /** @return destination QPN. */
    public int destQpn()
    {
        return destQpn;
    }

    /** @param destQpn destination QPN. */
    public void destQpn(final int destQpn)
    {
        this.destQpn = destQpn;
        responder.admit(responder.accessFlags(), responder.minRnrTimer(), admittedQpn());
    }

    /** @return whose requests the responder executes now: the connected QP in RTR, RTS and SQD, nobody (-1) else. */
    private int admittedQpn()
    {
        final int s = state;
        return s >= QpState.RTR.ordinal() && s != QpState.ERR.ordinal() ? destQpn : -1;
    }

    /** @return peer address. */
    public String remoteAddress()
    {
        return remoteAddress;
    }

    /** @param remoteAddress peer address. */
    public void remoteAddress(final String remoteAddress)
    {
        this.remoteAddress = remoteAddress;
    }

    /** @return retransmit timeout exponent. */
    public int timeout()
    {
        return timeout;
    }

    /** @param timeout retransmit timeout exponent. */
    public void timeout(final int timeout)
    {
        this.timeout = timeout;
    }

    /** @return transport retry count. */
    public int retryCount()
    {
        return retryCount;
    }

    /** @param retryCount transport retry count. */
    public void retryCount(final int retryCount)
    {
        this.retryCount = retryCount;
    }

    /** @return RNR retry count. */
    public int rnrRetry()
    {
        return rnrRetry;
    }

    /** @param rnrRetry RNR retry count. */
    public void rnrRetry(final int rnrRetry)
    {
        this.rnrRetry = rnrRetry;
    }

    /** @return RNR timer code this QP asks peers to wait. */
    public int minRnrTimer()
    {
        return responder.minRnrTimer();
    }

    /** @param minRnrTimer RNR timer code. */
    public void minRnrTimer(final int minRnrTimer)
    {
        responder.admit(responder.accessFlags(), minRnrTimer, admittedQpn());
    }

    /** @return outstanding READs/atomics this QP may issue. */
    public int maxRdAtomic()
    {
        return maxRdAtomic;
    }

    /** @param maxRdAtomic outstanding READs/atomics this QP may issue. */
    public void maxRdAtomic(final int maxRdAtomic)
    {
        this.maxRdAtomic = maxRdAtomic;
    }

    /** @return outstanding READs/atomics this QP accepts. */
    public int maxDestRdAtomic()
    {
        return maxDestRdAtomic;
    }

    /** @param maxDestRdAtomic outstanding READs/atomics this QP accepts. */
    public void maxDestRdAtomic(final int maxDestRdAtomic)
    {
        this.maxDestRdAtomic = maxDestRdAtomic;
    }

    /** @return true if every send is signaled. */
    public boolean signalAll()
    {
        return signalAll;
    }

    @Override
    public String toString()
    {
        return Text.describe(qpn, state());
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static VerbsException nullAttributes()
        {
            return new VerbsException(Errors.EINVAL, "attributes must not be null");
        }

        static VerbsException nullEndpoint()
        {
            return new VerbsException(Errors.EINVAL, "remote endpoint must not be null");
        }

        static VerbsException connectState(final QpState state)
        {
            return new VerbsException(Errors.EINVAL, "connect needs a QP in RESET or INIT, not " + state);
        }

        static VerbsException noMigration()
        {
            return new VerbsException(Errors.ENOSYS, "live migration arrives with functions (PF/VFs)");
        }

        static String describe(final int qpn, final QpState state)
        {
            return "QueuePair{qpn=" + qpn + ", state=" + state + '}';
        }
    }
}
