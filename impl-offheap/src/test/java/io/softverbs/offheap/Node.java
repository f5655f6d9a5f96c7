package io.softverbs.offheap;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

import io.softverbs.AsyncEvent;
import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.MemoryRegion;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;

/**
 * One side of a test: a device with one context, a PD, a send CQ, a receive CQ bound to a completion channel, and
 * a queue collecting the context's async events. Closing it closes the device and so everything created from it.
 */
final class Node implements AutoCloseable
{
    final ProgressMode mode;
    final Device device;
    final Context ctx;
    final ProtectionDomain pd;
    final CompletionChannel channel;
    final CompletionQueue sendCq;
    final CompletionQueue recvCq;
    final LinkedBlockingQueue<AsyncEvent> events = new LinkedBlockingQueue<>();

    private Node(final String prefix, final ProgressMode mode)
    {
        this.mode = mode;
        device = TestSupport.openDevice(prefix, mode);
        try
        {
            ctx = device.open();
            ctx.onAsyncEvent(events::add);
            pd = ctx.allocPd();
            channel = ctx.createCompletionChannel();
            sendCq = ctx.createCq(256);
            recvCq = ctx.createCq(256, channel);
        }
        catch (final RuntimeException | Error ex)
        {
            device.close();
            throw ex;
        }
    }

    static Node open(final String prefix, final ProgressMode mode)
    {
        return new Node(prefix, mode);
    }

    /** @return a new RC QP in RESET on this node's CQs, after {@code options} adjusted the defaults. */
    QueuePair createQp(final UnaryOperator<QpInit.Builder> options)
    {
        return pd.createQueuePair(options.apply(QpInit.builder().sendCq(sendCq).recvCq(recvCq)).build());
    }

    /** @return a zeroed region of this node's PD. */
    MemoryRegion alloc(final long length, final int access)
    {
        return pd.allocateMemory(length, access);
    }

    /** @return the contexts a poll loop must drive: this one in INVOKER mode, none in DEDICATED mode. */
    Context[] driven()
    {
        return mode == ProgressMode.INVOKER ? new Context[] {ctx} : new Context[0];
    }

    @Override
    public void close()
    {
        device.close();
    }
}
