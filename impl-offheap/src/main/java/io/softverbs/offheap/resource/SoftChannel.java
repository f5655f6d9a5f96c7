package io.softverbs.offheap.resource;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;

/** A completion channel ({@code ibv_comp_channel}): armed CQs that fired, in order. */
public final class SoftChannel implements CompletionChannel
{
    private final ArrayBlockingQueue<CompletionQueue> fired = new ArrayBlockingQueue<>(4096);

    /** Engine: an armed CQ fired. @param cq the CQ. */
    void fire(final CompletionQueue cq)
    {
        fired.offer(cq);
    }

    @Override
    public CompletionQueue await(final long timeout, final TimeUnit unit)
    {
        try
        {
            return fired.poll(timeout, unit);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close()
    {
        fired.clear();
    }
}
