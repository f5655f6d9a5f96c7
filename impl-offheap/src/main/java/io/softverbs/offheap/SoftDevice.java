package io.softverbs.offheap;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceAttributes;
import io.softverbs.DeviceConfig;
import io.softverbs.Errors;
import io.softverbs.VerbsException;
import io.softverbs.offheap.engine.ResponderContext;
import io.softverbs.offheap.resource.KeyTable;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.TransportFactory;

/**
 * A soft RNIC ({@code ibv_device} + {@code ibv_context}): the key table and the wire-QPN to QP mapping shared by
 * its functions, and one {@link SoftContext} per function.
 */
public final class SoftDevice implements Device
{
    /** QPNs below this are reserved (QP0, QP1 and friends). */
    static final int QPN_BASE = 0x100;

    private final DeviceConfig config;
    private final DeviceAttributes attributes;
    private final TransportFactory transports;
    private final KeyTable keys;
    private final AtomicReferenceArray<SoftQp> qps;
    private final SoftContext[] contexts;
    private final SplittableRandom random;
    private int qpCursor;
    private int qpCount;
    private Runnable onClose;
    private boolean closed;

    /**
     * @param config     configuration.
     * @param transports makes each function's transport.
     */
    public SoftDevice(final DeviceConfig config, final TransportFactory transports)
    {
        this.config = config;
        this.transports = transports;
        this.attributes = new DeviceAttributes(config, Long.MAX_VALUE / 2, ResponderContext.MAX_RD_ATOMIC);
        final long seed = System.nanoTime() ^ config.name().hashCode();
        this.keys = new KeyTable(config.maxMr(), seed);
        this.random = new SplittableRandom(seed * 31);
        this.qps = new AtomicReferenceArray<>(config.maxQp());
        this.contexts = new SoftContext[config.functions()];
    }

    void onClose(final Runnable onClose)
    {
        this.onClose = onClose;
    }

    /** @return the key table. */
    KeyTable keys()
    {
        return keys;
    }

    /** @return the configuration. */
    DeviceConfig config()
    {
        return config;
    }

    /**
     * The network-side mapping: wire QPN to QP.
     *
     * @param qpn a QP number.
     * @return the live QP, or null.
     */
    public SoftQp lookupQp(final int qpn)
    {
        final int index = qpn - QPN_BASE;
        return index >= 0 && index < qps.length() ? qps.get(index) : null;
    }

    /**
     * Creates a QP under a fresh number and publishes it in the wire-QPN mapping.
     *
     * @param factory builds the QP for the number.
     * @return the QP.
     */
    synchronized SoftQp createQp(final IntFunction<SoftQp> factory)
    {
        if (qpCount == qps.length())
        {
            throw Text.tooManyQps(config.name(), qpCount);
        }
        // Rotate so a destroyed QP's number is not reused soon: late messages for it find nothing.
        while (qps.get(qpCursor) != null)
        {
            qpCursor = (qpCursor + 1) % qps.length();
        }
        final int index = qpCursor;
        qpCursor = (qpCursor + 1) % qps.length();
        final SoftQp qp = factory.apply(QPN_BASE + index);
        qps.set(index, qp);
        qpCount++;
        return qp;
    }

    synchronized void removeQp(final SoftQp qp)
    {
        if (qps.compareAndSet(qp.qpNum() - QPN_BASE, qp, null))
        {
            qpCount--;
        }
    }

    synchronized int randomPsn()
    {
        return random.nextInt(1 << 24);
    }

    @Override
    public String name()
    {
        return config.name();
    }

    @Override
    public DeviceAttributes attributes()
    {
        return attributes;
    }

    @Override
    public int functionCount()
    {
        return contexts.length;
    }

    @Override
    public synchronized Context open(final int function)
    {
        if (closed)
        {
            throw Text.closed(config.name());
        }
        if (function < 0 || function >= contexts.length)
        {
            throw Text.noSuchFunction(function, contexts.length);
        }
        SoftContext context = contexts[function];
        if (context == null || context.isClosed())
        {
            context = new SoftContext(this, function, transports.create(config, function, this::lookupQp));
            contexts[function] = context;
        }
        return context;
    }

    @Override
    public Context open()
    {
        return open(0);
    }

    @Override
    public void close()
    {
        final SoftContext[] toClose;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            toClose = contexts.clone();
        }
        for (final SoftContext context : toClose)
        {
            if (context != null)
            {
                context.close();
            }
        }
        if (onClose != null)
        {
            onClose.run();
        }
    }

    @Override
    public String toString()
    {
        return Text.describe(config.name(), config.transport());
    }

    /**
     * This class's text, kept out of its constant pool: HotSpot resolves every string constant of a class in the
     * thread that first asks for one of its methods to be compiled by C2, and {@link #lookupQp} runs for every
     * message an engine receives (see {@code SoftCq.Text}).
     */
    private static final class Text
    {
        private Text()
        {
        }

        static VerbsException tooManyQps(final String device, final int count)
        {
            return new VerbsException(Errors.ENOMEM, "device " + device + " has " + count + " QPs (maxQp)");
        }

        static VerbsException closed(final String device)
        {
            return new VerbsException(Errors.ENODEV, "device " + device + " is closed");
        }

        static VerbsException noSuchFunction(final int function, final int count)
        {
            return new VerbsException(Errors.EINVAL, "function " + function + " out of range [0, " + count + ")");
        }

        static String describe(final String device, final String transport)
        {
            return "Device{" + device + ", " + transport + '}';
        }
    }
}
