package io.softverbs.offheap;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventHandler;
import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.Errors;
import io.softverbs.LinePadding;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SharedSendQueue;
import io.softverbs.SrqInit;
import io.softverbs.SsqInit;
import io.softverbs.VerbsException;
import io.softverbs.offheap.engine.ControlCommand;
import io.softverbs.offheap.engine.Engine;
import io.softverbs.offheap.engine.EngineFence;
import io.softverbs.offheap.engine.ResponderContext;
import io.softverbs.offheap.engine.WakeableIdleStrategy;
import io.softverbs.offheap.host.CqRing;
import io.softverbs.offheap.host.DeviceMemory;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.KeyTable;
import io.softverbs.offheap.resource.SoftChannel;
import io.softverbs.offheap.resource.SoftCq;
import io.softverbs.offheap.resource.SoftPd;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.resource.SoftSrq;
import io.softverbs.offheap.resource.SoftSsq;
import io.softverbs.offheap.transport.Transport;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A function's verbs context ({@code ibv_context}): its device memory, its engine (run by a dedicated thread or by
 * the application), and the resources created from it.
 */
public final class SoftContext extends LinePadding implements Context
{
    /**
     * System properties, read when a context opens: the first and the longest park, in nanoseconds, of an idle
     * DEDICATED engine thread (defaults 1 us and 1 ms; each park doubles the one before). Work wakes the thread at
     * once, so they bound only how often an idle device looks for work that nobody announced.
     */
    public static final String MIN_PARK_PROPERTY = "softverbs.engine.minParkNs";
    /** See {@link #MIN_PARK_PROPERTY}. */
    public static final String MAX_PARK_PROPERTY = "softverbs.engine.maxParkNs";

    private final SoftDevice device;
    private final int function;
    private final DeviceConfig config;
    private final Transport transport;
    private final DeviceMemory memory = new DeviceMemory();
    private final Engine engine;
    private final AgentRunner runner;
    private final Set<SoftQp> qps = ConcurrentHashMap.newKeySet();
    private final Set<SoftCq> cqs = ConcurrentHashMap.newKeySet();
    private final Set<SoftSrq> srqs = ConcurrentHashMap.newKeySet();
    private final List<SoftPd> pds = new ArrayList<>();
    private final AtomicLong unhandledEvents = new AtomicLong();
    private volatile AsyncEventHandler eventHandler;
    private volatile boolean closed;

    SoftContext(final SoftDevice device, final int function, final Transport transport)
    {
        this.device = device;
        this.function = function;
        this.config = device.config();
        this.transport = transport;
        this.engine = new Engine(Text.engineName(config.name(), function), transport, this::raise, config.maxQp());
        if (config.progress() == ProgressMode.DEDICATED)
        {
            final IdleStrategy idle;
            if (config.busySpin())
            {
                idle = new BusySpinIdleStrategy();
            }
            else
            {
                final WakeableIdleStrategy parking = engine.wakeableIdleStrategy(
                    Long.getLong(MIN_PARK_PROPERTY, 1_000L), Long.getLong(MAX_PARK_PROPERTY, 1_000_000L));
                transport.attachDoorbell(parking::wake); // peers' requests, responses and ACKs wake it
                idle = parking;
            }
            runner = new AgentRunner(idle, Throwable::printStackTrace, null, engine);
            AgentRunner.startOnThread(runner, r ->
            {
                final Thread thread = new Thread(r, engine.roleName());
                thread.setDaemon(true);
                return thread;
            });
        }
        else
        {
            runner = null;
        }
    }

    /** @return the engine. */
    public Engine engine()
    {
        return engine;
    }

    /** @return the transport. */
    public Transport transport()
    {
        return transport;
    }

    /** @return the device key table. */
    public KeyTable keys()
    {
        return device.keys();
    }

    /** @return true in INVOKER mode. */
    public boolean isInvoker()
    {
        return runner == null;
    }

    /** @return device memory bytes in use by this context's queues. */
    public long deviceMemoryBytes()
    {
        return memory.bytesAllocated();
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Runs a control operation in the engine's control stage and waits for it. The waiting thread drives the engine
     * itself when it can, so this works in both progress modes.
     *
     * @param action the operation.
     */
    public void execute(final Runnable action)
    {
        if (engine.isOwnedByCurrentThread())
        {
            action.run(); // e.g. from an async event handler running inside a cycle
            return;
        }
        final ControlCommand command = new ControlCommand(action);
        engine.submit(command);
        awaitControl(() -> !command.isDone());
        if (command.failure() != null)
        {
            final RuntimeException failure = command.failure();
            failure.addSuppressed(Text.issuedHere());
            throw failure;
        }
    }

    /**
     * Waits for control work, driving the engine from this thread when no other thread is, so it works in both
     * progress modes.
     *
     * @param busy true while the awaited work is not finished.
     */
    public void awaitControl(final BooleanSupplier busy)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
        while (busy.getAsBoolean())
        {
            idle.idle(engine.isOwnedByCurrentThread() ? 0 : engine.doWork());
        }
    }

    /** Delivers an async event to the handler (engine thread). @param event the event. */
    public void raise(final AsyncEvent event)
    {
        final AsyncEventHandler handler = eventHandler;
        if (handler == null)
        {
            unhandledEvents.incrementAndGet();
            return;
        }
        try
        {
            handler.onEvent(event);
        }
        catch (final RuntimeException ex)
        {
            ex.printStackTrace();
        }
    }

    @Override
    public ProtectionDomain allocPd()
    {
        checkOpen();
        final SoftPd pd = new SoftPd(this, device.keys());
        synchronized (pds)
        {
            pds.add(pd);
        }
        return pd;
    }

    @Override
    public CompletionQueue createCq(final int cqe)
    {
        return createCq(cqe, null);
    }

    @Override
    public CompletionQueue createCq(final int cqe, final CompletionChannel channel)
    {
        checkOpen();
        if (cqe < 1 || cqe > config.maxCqe())
        {
            throw Text.cqSize(config.maxCqe(), cqe);
        }
        if (channel != null && !(channel instanceof SoftChannel))
        {
            throw Text.foreignChannel();
        }
        return call(() ->
        {
            if (cqs.size() >= config.maxCq())
            {
                throw Text.tooManyCqs(config.maxCq());
            }
            final SoftCq cq = new SoftCq(this, new CqRing(memory, cqe), (SoftChannel)channel);
            cqs.add(cq);
            return cq;
        });
    }

    @Override
    public CompletionChannel createCompletionChannel()
    {
        checkOpen();
        return new SoftChannel();
    }

    /**
     * {@code ibv_create_qp}.
     *
     * @param pd   the PD.
     * @param init attributes.
     * @return the QP in RESET.
     */
    public QueuePair createQp(final SoftPd pd, final QpInit init)
    {
        checkOpen();
        if (init == null)
        {
            throw Text.nullQpInit();
        }
        final SoftSsq ssq;
        if (init.sharedSendQueue() != null)
        {
            if (!(init.sharedSendQueue() instanceof SoftSsq) || ((SoftSsq)init.sharedSendQueue()).context() != this)
            {
                throw Text.foreignSsq();
            }
            ssq = (SoftSsq)init.sharedSendQueue();
        }
        else
        {
            ssq = null;
        }
        // A channel reports send completions on its SSQ's CQ.
        final SoftCq sendCq = ssq != null ? ssq.sendCq() : ownCq(init.sendCq(), CqRole.SEND_CQ);
        final SoftCq recvCq = ownCq(init.recvCq(), CqRole.RECV_CQ);
        final SoftSrq srq;
        if (init.srq() != null)
        {
            if (!(init.srq() instanceof SoftSrq) || ((SoftSrq)init.srq()).context() != this)
            {
                throw Text.foreignSrq();
            }
            srq = (SoftSrq)init.srq();
        }
        else
        {
            srq = null;
            within(Limit.MAX_RECV_WR, init.maxRecvWr(), 1, config.maxQpWr());
            within(Limit.MAX_RECV_SGE, init.maxRecvSge(), 1, config.maxSge());
        }
        within(Limit.MAX_SEND_WR, init.maxSendWr(), 1, config.maxQpWr());
        within(Limit.MAX_SEND_SGE, init.maxSendSge(), 1, config.maxSge());
        within(Limit.MAX_INLINE_DATA, init.maxInlineData(), 0, config.maxInlineData());

        final SendRing sq = ssq != null ? ssq.ring() : newSendRing(init.maxSendWr(), init.maxSendSge(),
            init.maxInlineData());
        final RecvRing rq = srq == null ? new RecvRing(memory, init.maxRecvWr(), init.maxRecvSge()) : null;
        final int psn = device.randomPsn();
        return call(() ->
        {
            final SoftQp qp = device.createQp(qpn -> new SoftQp(this, pd, qpn, sendCq, recvCq, srq, ssq, sq, rq,
                init.maxSendSge(), init.maxInlineData(), init.signalAll(), psn, ResponderContext.MAX_RD_ATOMIC));
            qps.add(qp);
            if (ssq != null)
            {
                ssq.attach(qp);
            }
            return qp;
        });
    }

    /**
     * {@code ibv_create_srq}.
     *
     * @param pd   the PD.
     * @param init attributes.
     * @return the SRQ.
     */
    public SharedReceiveQueue createSrq(final SoftPd pd, final SrqInit init)
    {
        checkOpen();
        if (init == null)
        {
            throw Text.nullSrqInit();
        }
        within(Limit.SRQ_MAX_WR, init.maxWr(), 1, config.maxQpWr());
        within(Limit.SRQ_MAX_SGE, init.maxSge(), 1, config.maxSge());
        return call(() ->
        {
            if (srqs.size() >= config.maxSrq())
            {
                throw Text.tooManySrqs(config.maxSrq());
            }
            final SoftSrq srq = new SoftSrq(this, pd, new RecvRing(memory, init.maxWr(), init.maxSge()), init.limit());
            srqs.add(srq);
            return srq;
        });
    }

    private SendRing newSendRing(final int depth, final int maxSge, final int maxInlineData)
    {
        return new SendRing(memory, depth, WqeLayout.blocksFor(Math.max(maxSge * WqeLayout.SGE_SIZE, maxInlineData)));
    }

    /**
     * Creates a shared send queue.
     *
     * @param pd   the PD.
     * @param init attributes.
     * @return the SSQ.
     */
    public SharedSendQueue createSsq(final SoftPd pd, final SsqInit init)
    {
        checkOpen();
        if (init == null)
        {
            throw Text.nullSsqInit();
        }
        final SoftCq cq = ownCq(init.sendCq(), CqRole.SSQ_SEND_CQ);
        within(Limit.SSQ_MAX_WR, init.maxWr(), 1, config.maxQpWr());
        within(Limit.SSQ_MAX_SGE, init.maxSge(), 1, config.maxSge());
        within(Limit.SSQ_MAX_INLINE_DATA, init.maxInlineData(), 0, config.maxInlineData());
        final SendRing ring = newSendRing(init.maxWr(), init.maxSge(), init.maxInlineData());
        return call(() -> new SoftSsq(this, pd, cq, ring, init.maxSge(), init.maxInlineData()));
    }

    private SoftCq ownCq(final CompletionQueue cq, final CqRole role)
    {
        if (!(cq instanceof SoftCq) || ((SoftCq)cq).context() != this)
        {
            throw Text.foreignCq(role);
        }
        return (SoftCq)cq;
    }

    private static void within(final Limit limit, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw Text.outOfRange(limit, min, max, value);
        }
    }

    /** Forgets a destroyed QP. @param qp the QP. */
    public void forget(final SoftQp qp)
    {
        qps.remove(qp);
        device.removeQp(qp);
    }

    /** Destroys a CQ through the control QP. @param cq the CQ. */
    public void forget(final SoftCq cq)
    {
        execute(() -> cqs.remove(cq));
    }

    /** Destroys an SRQ through the control QP. @param srq the SRQ. */
    public void forget(final SoftSrq srq)
    {
        execute(() -> srqs.remove(srq));
    }

    /**
     * Runs a control operation that produces a resource in the control stage and returns it.
     *
     * @param operation the operation.
     * @param <T>       resource type.
     * @return the resource.
     */
    private <T> T call(final Supplier<T> operation)
    {
        final List<T> result = new ArrayList<>(1);
        execute(() -> result.add(operation.get()));
        return result.get(0);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw Text.closed();
        }
    }

    @Override
    public int progress()
    {
        return engine.doWork();
    }

    @Override
    public void onAsyncEvent(final AsyncEventHandler handler)
    {
        this.eventHandler = handler;
    }

    @Override
    public int function()
    {
        return function;
    }

    @Override
    public Device device()
    {
        return device;
    }

    /** @param qpn a QP number of this device. @return its QP, or null if none has it now. */
    public SoftQp lookupQp(final int qpn)
    {
        return device.lookupQp(qpn);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (runner != null)
        {
            engine.stopIdling();
            runner.close(); // stops and joins the engine thread
        }
        for (final SoftQp qp : new ArrayList<>(qps))
        {
            qp.close();
        }
        final List<SoftPd> toClose;
        synchronized (pds)
        {
            toClose = new ArrayList<>(pds);
            pds.clear();
        }
        for (final SoftPd pd : toClose)
        {
            pd.close();
        }
        engine.retire();
        EngineFence.await();
        transport.close();
        memory.release();
    }

    @Override
    public String toString()
    {
        return Text.describe(config.name(), function);
    }

    /**
     * The attributes a create call checks, named as the messages name them. Enums of their own: their names are
     * resolved when they are initialised, so none sits unresolved in this class's constant pool (see {@link Text}).
     */
    private enum Limit
    {
        MAX_SEND_WR("maxSendWr"),
        MAX_SEND_SGE("maxSendSge"),
        MAX_RECV_WR("maxRecvWr"),
        MAX_RECV_SGE("maxRecvSge"),
        MAX_INLINE_DATA("maxInlineData"),
        SRQ_MAX_WR("SRQ maxWr"),
        SRQ_MAX_SGE("SRQ maxSge"),
        SSQ_MAX_WR("SSQ maxWr"),
        SSQ_MAX_SGE("SSQ maxSge"),
        SSQ_MAX_INLINE_DATA("SSQ maxInlineData");

        final String attribute;

        Limit(final String attribute)
        {
            this.attribute = attribute;
        }
    }

    /** The CQ attributes a create call checks belong to this context. */
    private enum CqRole
    {
        SEND_CQ("sendCq"),
        RECV_CQ("recvCq"),
        SSQ_SEND_CQ("SSQ sendCq");

        final String attribute;

        CqRole(final String attribute)
        {
            this.attribute = attribute;
        }
    }

    /**
     * This class's text, kept out of its constant pool: HotSpot resolves every string constant of a class in the
     * thread that first asks for one of its methods to be compiled by C2, and {@link #progress()} and
     * {@link #isInvoker()} run on every INVOKER poll, so that thread is an application's data-path thread (see
     * {@code SoftCq.Text}).
     */
    private static final class Text
    {
        private Text()
        {
        }

        static String engineName(final String device, final int function)
        {
            return "softverbs-" + device + "-f" + function;
        }

        static Exception issuedHere()
        {
            return new Exception("control operation issued here");
        }

        static VerbsException cqSize(final int max, final int cqe)
        {
            return new VerbsException(Errors.EINVAL, "CQ size must be in [1, " + max + "]: " + cqe);
        }

        static VerbsException foreignChannel()
        {
            return new VerbsException(Errors.EINVAL, "completion channel is not from this provider");
        }

        static VerbsException tooManyCqs(final int max)
        {
            return new VerbsException(Errors.ENOMEM, "too many CQs (maxCq " + max + ")");
        }

        static VerbsException tooManySrqs(final int max)
        {
            return new VerbsException(Errors.ENOMEM, "too many SRQs (maxSrq " + max + ")");
        }

        static VerbsException nullQpInit()
        {
            return new VerbsException(Errors.EINVAL, "QpInit must not be null");
        }

        static VerbsException nullSrqInit()
        {
            return new VerbsException(Errors.EINVAL, "SrqInit must not be null");
        }

        static VerbsException nullSsqInit()
        {
            return new VerbsException(Errors.EINVAL, "SsqInit must not be null");
        }

        static VerbsException foreignSsq()
        {
            return new VerbsException(Errors.EINVAL, "shared send queue belongs to another context");
        }

        static VerbsException foreignSrq()
        {
            return new VerbsException(Errors.EINVAL, "SRQ belongs to another context");
        }

        static VerbsException foreignCq(final CqRole role)
        {
            return new VerbsException(Errors.EINVAL, role.attribute + " must be a CQ of this context");
        }

        static VerbsException outOfRange(final Limit limit, final int min, final int max, final int value)
        {
            return new VerbsException(Errors.EINVAL, limit.attribute + " must be in [" + min + ", " + max + "]: " +
                value);
        }

        static VerbsException closed()
        {
            return new VerbsException(Errors.ENODEV, "context is closed");
        }

        static String describe(final String device, final int function)
        {
            return "Context{" + device + ", function " + function + '}';
        }
    }
}
