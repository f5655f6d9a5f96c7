package io.softverbs.offheap.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;

import io.softverbs.AsyncEvent;
import io.softverbs.LinePadding;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.QpStateMachine;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.resource.SoftSsq;
import io.softverbs.offheap.transport.InboundHandler;
import io.softverbs.offheap.transport.InboundRequest;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.Syndrome;
import io.softverbs.offheap.transport.Transport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The soft RNIC engine of one context: an Agrona agent whose duty cycle runs the control stage, the transport's
 * inbound work (completer for responses, responder for requests), the requester for QPs whose doorbell rang, and
 * the timers. Idle QPs cost nothing: only a doorbell puts a QP on the run queue.
 * <p>
 * Any thread may run a cycle (DEDICATED: the agent thread; INVOKER: the application), one at a time: a cycle is
 * entered by a CAS that makes the cycle counter odd and left by making it even again, which is also what the
 * deregistration {@link EngineFence} waits on.
 */
public final class Engine extends LinePadding implements Agent, InboundHandler, FenceMember
{
    private static final VarHandle CYCLE;
    private static final long NO_OWNER = -1;
    private static final int INBOUND_LIMIT = 256;
    private static final int TIMER_CHECK_INTERVAL = 16;
    private static final int ACK_SCAN_BUDGET = 64;
    private static final int RUN_QUEUE_BUDGET = 256;
    private static final long SHORT_WAIT_NS = 1_000_000;

    static
    {
        try
        {
            CYCLE = MethodHandles.lookup().findVarHandle(Engine.class, "cycle", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused")
    private volatile long cycle;
    // The cycle's thread, by id (a primitive store, without a reference store's collector barrier). Read only by
    // the thread that wrote it or to compare with the reader's own thread, so a plain field will do.
    private long owner = NO_OWNER;

    private final String name;
    private final Transport transport;
    private final Consumer<AsyncEvent> events;
    /**
     * Agrona's MPSC array queue rather than JCTools': a post reaches it only when it cannot execute or send at once,
     * so its methods get to C2 late, and C2 compilations of JCTools' array queue methods allocated 2.1-2.5 KB on the
     * thread that asked for them (2,224 B once inside a measured send_bw window; see "Session 17" in
     * benchmarks/HISTORY.md). Agrona's queue, driven the same way, allocated nothing at its compilations.
     */
    private final ManyToOneConcurrentArrayQueue<Schedulable> runQueue;
    private final ControlStage control = new ControlStage();
    private final Completer completer = new Completer(this);
    private final Responder responder = new Responder(this, completer);
    private final Requester requester = new Requester(this, completer, responder);
    private final java.util.ArrayList<SoftQp> stalled = new java.util.ArrayList<>();
    private SoftQp[] timed = new SoftQp[16];
    private int timedCount;
    /** QPs waiting for an ACK their transport publishes rather than sends (see {@link Link#pollAck}). */
    private SoftQp[] ackWatch = new SoftQp[16];
    private int ackWatchCount;
    private int ackCursor;
    /** Cycles skipped because nothing was waiting; every few, one runs anyway for the timers. */
    private int skipped;
    /** QPs in a short RNR wait: reported as work so a backing-off idle strategy does not park through them. */
    private int rnrWaits;
    private long cycles;
    /**
     * Times the application came back to the device: duty-cycle calls with work or without, and polls that found
     * completions and so ran no cycle ({@link #noteVisit}); not {@link #transmitNow}. A posting thread tells from
     * it whether the application polled since its last post. Read racily, as a hint.
     */
    private long visits;
    /** DEDICATED with back-off: the engine thread's idle strategy, which {@link #wake} interrupts; null otherwise. */
    private volatile WakeableIdleStrategy idleStrategy;

    /**
     * @param name      agent name.
     * @param transport the context's transport.
     * @param events    where async events go.
     * @param maxQp     most QPs that may be scheduled at once.
     */
    public Engine(final String name, final Transport transport, final Consumer<AsyncEvent> events, final int maxQp)
    {
        this.name = name;
        this.transport = transport;
        this.events = events;
        QueueStrings.resolve();
        this.runQueue = new ManyToOneConcurrentArrayQueue<>(Math.max(maxQp, 64));
        EngineFence.register(this);
    }

    @Override
    public String roleName()
    {
        return name;
    }

    /** @return the transport. */
    public Transport transport()
    {
        return transport;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Duty cycle

    @Override
    public int doWork()
    {
        visits++;
        if (!hasWork(true))
        {
            return 0; // an idle spin reads a few words and writes one plain counter: no atomic, no fence
        }
        final long c = tryEnter();
        if (c < 0)
        {
            return 0; // another thread is running this engine
        }
        try
        {
            final int controlWork = control.doWork();
            final boolean acksOwed = responder.hasAcksDue(); // ACKs an earlier cycle kept go out with this one's
            final int inbound = transport.poll(this, INBOUND_LIMIT);
            if (inbound > 0 || acksOwed)
            {
                responder.flushAcks(acksOwed);
            }
            return controlWork + inbound + ackStage() + requesterStage() + timerStage();
        }
        finally
        {
            exit(c);
        }
    }

    /** @return the cycle counter before entering, or -1 if another thread is running a cycle. */
    private long tryEnter()
    {
        final long c = cycle;
        if ((c & 1) != 0 || !CYCLE.compareAndSet(this, c, c + 1))
        {
            return -1;
        }
        owner = Thread.currentThread().getId();
        return c;
    }

    private void exit(final long c)
    {
        owner = NO_OWNER;
        CYCLE.setRelease(this, c + 2);
    }

    /**
     * Whether a cycle has anything to do, read without taking the engine: every field read here is a hint (a stale
     * value only delays work by one call), and every producer of work makes one of them true.
     *
     * @param sampleTimers true in the duty cycle: every {@value #TIMER_CHECK_INTERVAL}th call says yes while timers
     *                     are armed, so the timer stage gets its cycles. False for the idle strategy's last look
     *                     before a park, which must not take those turns (its park ends by the earliest deadline).
     */
    boolean hasWork(final boolean sampleTimers)
    {
        // Inbound first: while a poller spins, the lane's next stamp is what changes, and the sooner in the check
        // it is read, the sooner a request that just arrived is seen.
        if (transport.hasInbound() || control.hasWork() || !runQueue.isEmpty() || rnrWaits > 0 ||
            responder.hasAcksDue())
        {
            return true;
        }
        if (sampleTimers && timedCount > 0 && (++skipped & (TIMER_CHECK_INTERVAL - 1)) == 0)
        {
            return true;
        }
        final SoftQp[] watch = ackWatch;
        final int watching = ackWatchCount;
        if (watching > ACK_SCAN_BUDGET)
        {
            return true; // too many to look at here; the cycle's ACK stage takes them in turns
        }
        for (int i = Math.min(watching, watch.length) - 1; i >= 0; i--)
        {
            final SoftQp qp = watch[i];
            final Link link = qp != null ? qp.link() : null;
            if (link != null && link.ackChanged())
            {
                return true;
            }
        }
        return false;
    }

    /** Requester: the QP wants the ACKs of what it has sent up to now. @param qp the QP. */
    void watchAck(final SoftQp qp)
    {
        final RequesterContext rc = qp.requester();
        rc.ackWantedSeq = rc.sendSeq;
        if (!rc.ackWatched)
        {
            rc.ackWatched = true;
            if (ackWatchCount == ackWatch.length)
            {
                ackWatch = Arrays.copyOf(ackWatch, ackWatchCount * 2);
            }
            ackWatch[ackWatchCount++] = qp;
        }
    }

    /**
     * Completer: reads the published ACKs of the QPs that want them, at most {@value #ACK_SCAN_BUDGET} QPs per
     * cycle, round robin, so 10,000 waiting channels cost a cycle no more than 64 do.
     */
    private int ackStage()
    {
        int work = 0;
        int i = ackCursor;
        for (int budget = Math.min(ackWatchCount, ACK_SCAN_BUDGET); budget > 0; budget--)
        {
            if (i >= ackWatchCount)
            {
                i = 0;
            }
            final SoftQp qp = ackWatch[i];
            final RequesterContext rc = qp.requester();
            final Link link = qp.link();
            final int psn = link != null ? link.pollAck() : -1;
            if (psn >= 0)
            {
                completer.onResponse(qp, psn, Syndrome.ACK);
                work++;
            }
            final int state = qp.stateOrdinal();
            if (link == null || state < QpState.RTS.ordinal() || state == QpState.ERR.ordinal() ||
                (rc.ackSeq >= rc.ackWantedSeq && !rc.drainPending))
            {
                rc.ackWatched = false;
                ackWatch[i] = ackWatch[--ackWatchCount]; // the last one moves here and is looked at next
                ackWatch[ackWatchCount] = null;
            }
            else
            {
                i++;
            }
        }
        ackCursor = i;
        return work;
    }

    private int requesterStage()
    {
        int work = 0;
        for (int n = RUN_QUEUE_BUDGET; n > 0; n--)
        {
            final Schedulable item = runQueue.poll();
            if (item == null)
            {
                break;
            }
            item.clearScheduled();
            if (item instanceof SoftQp)
            {
                requester.process((SoftQp)item);
            }
            else
            {
                dispatch((SoftSsq)item);
            }
            work++;
        }
        return work;
    }

    /**
     * Doorbell fast path: runs the requester for one QP now, as a cycle of its own, if no thread is running this
     * engine. A thread already inside a cycle (an event handler that posts) does not nest one.
     *
     * @param qp the QP just rung.
     * @return false if the engine is busy: schedule the QP instead.
     */
    public boolean transmitNow(final SoftQp qp)
    {
        final long c = tryEnter();
        if (c < 0)
        {
            return false;
        }
        try
        {
            requester.process(qp);
            flushKeptAcks();
        }
        finally
        {
            exit(c);
        }
        return true;
    }

    /**
     * The fused post's cycle (see {@link Requester#executePosted}): a one-sided request executed as it is posted, if
     * no thread is running this engine and the request may run now.
     *
     * @param qp    the posting QP.
     * @param wr    the checked request.
     * @param flags its send flags.
     * @return true if it executed and completed; false: write it to the ring.
     */
    public boolean executeNow(final SoftQp qp, final SendWorkRequest wr, final int flags)
    {
        final long c = tryEnter();
        if (c < 0)
        {
            return false;
        }
        try
        {
            final boolean executed = requester.executePosted(qp, wr, flags);
            flushKeptAcks();
            return executed;
        }
        finally
        {
            exit(c);
        }
    }

    /**
     * The fused post's cycle for a list (see {@link Requester#executePostedList}): the leading requests of
     * {@code list[from..end)} that may execute at once, executed under one entry into the cycle.
     *
     * @param qp   the posting QP.
     * @param list the requests.
     * @param from the first to execute.
     * @param end  one past the last.
     * @return how many were executed, from {@code from}; 0 when another thread is running this engine.
     */
    public int executeNow(final SoftQp qp, final SendWorkRequest[] list, final int from, final int end)
    {
        final long c = tryEnter();
        if (c < 0)
        {
            return 0;
        }
        try
        {
            final int executed = requester.executePostedList(qp, list, from, end);
            flushKeptAcks();
            return executed;
        }
        finally
        {
            exit(c);
        }
    }

    /**
     * The fused SEND post's cycle (see {@link Requester#sendPosted}): a request sent as it is posted, if no thread is
     * running this engine and it may be sent now.
     *
     * @param qp    the posting QP.
     * @param wr    the checked request.
     * @param flags its send flags.
     * @return true if it was sent and its WQE written; false: post it the ordinary way.
     */
    public boolean sendNow(final SoftQp qp, final SendWorkRequest wr, final int flags)
    {
        final long c = tryEnter();
        if (c < 0)
        {
            return false;
        }
        try
        {
            final boolean sent = requester.sendPosted(qp, wr, flags);
            flushKeptAcks();
            return sent;
        }
        finally
        {
            exit(c);
        }
    }

    /**
     * A post's cycle, after its request left: sends the ACKs that the last cycle kept because no request asked for
     * them at once. In a ping-pong that cycle received the request this post answers, so its ACK's store, into a
     * cache line of the requester's, comes after the reply is on its way rather than before the application sees
     * the request.
     */
    private void flushKeptAcks()
    {
        if (responder.hasAcksDue())
        {
            responder.flushAcks(true);
        }
    }

    /**
     * DEDICATED: the idle strategy for this engine's own thread. When there is nothing to do it spins, yields,
     * then parks for periods doubling from {@code minParkNs} to {@code maxParkNs}; {@link #wake} ends a park as soon
     * as work arrives.
     *
     * @param minParkNs the first park.
     * @param maxParkNs the longest park.
     * @return the strategy, to run the engine's agent with; its {@link WakeableIdleStrategy#wake} is the doorbell
     *         for threads that give the engine work without going through this object.
     */
    public WakeableIdleStrategy wakeableIdleStrategy(final long minParkNs, final long maxParkNs)
    {
        final WakeableIdleStrategy strategy =
            new WakeableIdleStrategy(() -> hasWork(false), this::nanosToNextDeadline, 100, 10, minParkNs,
                Math.max(minParkNs, maxParkNs));
        idleStrategy = strategy;
        return strategy;
    }

    /**
     * The engine thread, between cycles, before it parks: how long until the earliest armed timer is due. Read
     * without taking the engine (a thread driving a control command may be running a cycle), so only as a hint: a
     * stale entry moves one wake-up a little.
     *
     * @return nanoseconds, 0 or less if one is due, {@link Long#MAX_VALUE} if none is armed.
     */
    long nanosToNextDeadline()
    {
        final SoftQp[] list = timed;
        final int count = Math.min(timedCount, list.length);
        long earliest = Long.MAX_VALUE;
        if (count > 0)
        {
            final long now = System.nanoTime();
            for (int i = 0; i < count; i++)
            {
                final SoftQp qp = list[i];
                if (qp != null && qp.requester().timerKind != RequesterContext.TIMER_NONE)
                {
                    earliest = Math.min(earliest, qp.requester().deadlineNs - now);
                }
            }
        }
        return earliest;
    }

    /**
     * After a post's doorbell or a control command: a parked DEDICATED engine thread runs at once. Costs a load when
     * the engine is busy or has no thread of its own. (A peer's transport rings the idle strategy directly, so it
     * reads nothing of this object, whose lines this engine's thread writes.)
     */
    private void wake()
    {
        final WakeableIdleStrategy strategy = idleStrategy;
        if (strategy != null)
        {
            strategy.wake();
        }
    }

    /** The context is closing: a DEDICATED engine thread stops parking, so stopping it never waits out a park. */
    public void stopIdling()
    {
        final WakeableIdleStrategy strategy = idleStrategy;
        if (strategy != null)
        {
            strategy.stop();
        }
    }

    /** @return visits so far (see {@link #noteVisit}); a hint for other threads. */
    public long visits()
    {
        return visits;
    }

    /** INVOKER: a poll that ran no cycle (it found completions) still counts as the application coming back. */
    public void noteVisit()
    {
        visits++;
    }

    /** @return true if the calling thread is inside a cycle of this engine. */
    public boolean isOwnedByCurrentThread()
    {
        return owner == Thread.currentThread().getId();
    }

    @Override
    public void awaitCycleBoundary()
    {
        final long c = (long)CYCLE.getVolatile(this);
        if ((c & 1) == 0 || owner == Thread.currentThread().getId())
        {
            return;
        }
        while ((long)CYCLE.getVolatile(this) == c)
        {
            Thread.onSpinWait();
        }
    }

    /** Makes a send queue known to the engine (the doorbell's second half). @param item the QP or SSQ. */
    public void schedule(final Schedulable item)
    {
        if (item.trySchedule())
        {
            runQueue.offer(item);
            wake();
        }
    }

    /**
     * Shared send queue: hands newly rung WQEs, in posting order, to their channels' requesters. A slow channel
     * only holds up its own WQEs' transmission; the SSQ's completion order is kept by {@link SsqState}.
     */
    private void dispatch(final SoftSsq ssq)
    {
        final SsqState state = ssq.state();
        final SendRing ring = state.ring();
        final DeviceBuffer buffer = ring.buffer();
        final long producer = ring.producerBlock();
        while (state.fetchBlock < producer)
        {
            final int offset = ring.offset(state.fetchBlock);
            final int blocks = buffer.getShort(offset + WqeLayout.BLOCK_COUNT);
            if (buffer.getByte(offset + WqeLayout.OPCODE) != WqeLayout.OPCODE_NOP)
            {
                final int qpn = buffer.getInt(offset + WqeLayout.CHANNEL);
                final long seq = state.add(state.fetchBlock, qpn);
                final SoftQp channel = ssq.channel(qpn);
                if (channel == null)
                {
                    state.finish(seq, WcStatus.WR_FLUSH_ERR); // channel destroyed after posting
                }
                else
                {
                    channel.requester().appendDispatched(state.fetchBlock, seq);
                    schedule(channel);
                }
            }
            state.fetchBlock += blocks;
        }
        state.advance();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Control stage

    /**
     * Queues a control command for the control stage.
     *
     * @param command the command.
     */
    public void submit(final ControlCommand command)
    {
        control.submit(command);
        wake();
    }

    /**
     * Control stage: {@code ibv_modify_qp}.
     *
     * @param qp         the QP.
     * @param attributes the change.
     */
    public void modify(final SoftQp qp, final QpAttributes attributes)
    {
        final QpState current = qp.state();
        final QpState target = QpStateMachine.check(current, attributes);
        if (attributes.has(QpAttributes.ACCESS_FLAGS))
        {
            qp.accessFlags(attributes.accessFlags());
        }
        if (attributes.has(QpAttributes.PATH_MTU))
        {
            qp.pathMtu(attributes.pathMtu());
        }
        if (attributes.has(QpAttributes.TIMEOUT))
        {
            qp.timeout(attributes.timeout());
        }
        if (attributes.has(QpAttributes.RETRY_CNT))
        {
            qp.retryCount(attributes.retryCount());
        }
        if (attributes.has(QpAttributes.RNR_RETRY))
        {
            qp.rnrRetry(attributes.rnrRetry());
        }
        if (attributes.has(QpAttributes.MIN_RNR_TIMER))
        {
            qp.minRnrTimer(attributes.minRnrTimer());
        }
        if (attributes.has(QpAttributes.MAX_QP_RD_ATOMIC))
        {
            qp.maxRdAtomic(attributes.maxRdAtomic());
        }
        if (attributes.has(QpAttributes.MAX_DEST_RD_ATOMIC))
        {
            qp.maxDestRdAtomic(attributes.maxDestRdAtomic());
        }
        switch (target)
        {
            case RESET:
                reset(qp);
                break;
            case RTR:
                if (current == QpState.INIT)
                {
                    qp.link(transport.connect(qp, attributes.remoteAddress(), attributes.destQpNum()));
                    qp.remoteAddress(attributes.remoteAddress());
                    qp.destQpn(attributes.destQpNum());
                    qp.responder().reset(attributes.rqPsn());
                }
                qp.state(QpState.RTR);
                break;
            case RTS:
                if (current == QpState.RTR)
                {
                    qp.requester().nextPsn =
                        attributes.has(QpAttributes.SQ_PSN) ? attributes.sqPsn() : qp.initialPsn();
                }
                qp.state(QpState.RTS);
                schedule(qp);
                break;
            case SQD:
                qp.state(QpState.SQD);
                qp.requester().drainPending = true;
                watchAck(qp);
                completer.advance(qp);
                break;
            case ERR:
                completer.enterError(qp);
                break;
            default:
                qp.state(target);
        }
    }

    private void reset(final SoftQp qp)
    {
        disarm(qp);
        if (qp.ssq() != null)
        {
            completer.flushSendQueue(qp); // a channel's WQEs still hold their places in the SSQ order
        }
        qp.state(QpState.RESET);
        qp.requester().reset(qp.sendRing());
        final RecvRing rq = qp.ownReceiveRing();
        if (rq != null)
        {
            final ResponderContext rs = qp.responder();
            rs.lockReceives();
            try
            {
                rq.resetConsumer();
            }
            finally
            {
                rs.unlockReceives();
            }
        }
        qp.link(null);
    }

    /** Control stage: {@code ibv_destroy_qp}. @param qp the QP. */
    public void destroy(final SoftQp qp)
    {
        reset(qp);
        if (qp.ssq() != null)
        {
            qp.ssq().detach(qp);
        }
        qp.context().forget(qp);
    }

    /** Requester: a QP waits for a pending memory registration. @param qp the QP. */
    void stall(final SoftQp qp)
    {
        final RequesterContext rc = qp.requester();
        if (!rc.stalled)
        {
            rc.stalled = true;
            stalled.add(qp);
        }
    }

    /** Control stage: a registration finished (or failed); stalled QPs look again. */
    public void wakeStalled()
    {
        for (int i = 0, n = stalled.size(); i < n; i++)
        {
            final SoftQp qp = stalled.get(i);
            qp.requester().stalled = false;
            schedule(qp);
        }
        stalled.clear();
    }

    void raise(final AsyncEvent event)
    {
        events.accept(event);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Transport inbound

    @Override
    public void onRequest(final SoftQp qp, final int srcQpn, final int psn, final InboundRequest request)
    {
        responder.onRequest(qp, srcQpn, psn, request);
    }

    @Override
    public void onResponse(final SoftQp qp, final int psn, final int syndrome)
    {
        completer.onResponse(qp, psn, syndrome);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers: only QPs with a deadline are looked at.

    void arm(final SoftQp qp, final int kind, final long delayNs)
    {
        final RequesterContext rc = qp.requester();
        if (delayNs == 0)
        {
            rc.timerKind = RequesterContext.TIMER_NONE;
            rc.deadlineNs = 0;
            if (kind == RequesterContext.TIMER_RNR)
            {
                rc.rnrPaused = false;
            }
            return;
        }
        rc.timerKind = kind;
        // A fresh clock: arming is rare (see Completer#onRetransmitTimeout), and the clock the timer stage last read
        // may be as old as the engine's last idle spell. A deadline taken from that fired at once after a pause: a
        // healthy QP with retry_cnt 0 failed with RETRY_EXC_ERR.
        rc.deadlineNs = System.nanoTime() + delayNs;
        rc.ackSeqAtArm = rc.ackSeq;
        if (kind == RequesterContext.TIMER_RNR && delayNs <= SHORT_WAIT_NS)
        {
            rnrWaits++;
        }
        if (!rc.inTimerList)
        {
            rc.inTimerList = true;
            if (timedCount == timed.length)
            {
                timed = Arrays.copyOf(timed, timedCount * 2);
            }
            timed[timedCount++] = qp;
        }
    }

    void disarm(final SoftQp qp)
    {
        final RequesterContext rc = qp.requester();
        rc.timerKind = RequesterContext.TIMER_NONE;
        rc.deadlineNs = 0;
    }

    private int timerStage()
    {
        // The clock is read every few cycles, not every cycle: a spinning poller's cycle is shorter than a clock read.
        if (timedCount == 0 || (++cycles % TIMER_CHECK_INTERVAL) != 0)
        {
            return rnrWaits;
        }
        final long now = System.nanoTime();
        int work = 0;
        int shortRnrWaits = 0;
        for (int i = timedCount - 1; i >= 0; i--)
        {
            final SoftQp qp = timed[i];
            final RequesterContext rc = qp.requester();
            if (rc.timerKind == RequesterContext.TIMER_NONE)
            {
                rc.inTimerList = false;
                timed[i] = timed[--timedCount];
                timed[timedCount] = null;
                continue;
            }
            if (now - rc.deadlineNs >= 0)
            {
                final int kind = rc.timerKind;
                rc.timerKind = RequesterContext.TIMER_NONE;
                rc.deadlineNs = 0;
                work++;
                if (kind == RequesterContext.TIMER_RNR)
                {
                    rc.rnrPaused = false;
                    schedule(qp);
                }
                else
                {
                    completer.onRetransmitTimeout(qp);
                }
            }
            else if (rc.timerKind == RequesterContext.TIMER_RNR && rc.deadlineNs - now <= SHORT_WAIT_NS)
            {
                shortRnrWaits++;
            }
        }
        rnrWaits = shortRnrWaits;
        return work + rnrWaits;
    }

    /** Removes this engine from the fence (a closed context's engine no longer runs). */
    public void retire()
    {
        EngineFence.unregister(this);
    }
}
